"""The synthetic county in memory (see engine.py for the order of the steps)."""

from famplan.demo.simulation.base import HOME_AREA, Population, Village, add_years
from famplan.demo.simulation.engine import Simulation

__all__ = ["HOME_AREA", "Population", "Simulation", "Village", "add_years"]
