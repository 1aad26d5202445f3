"""The simulation's people, households and marriages in memory, and what every step
shares: the random stream, dates as day ordinals, the making of records."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from famplan.demo import names
from famplan.demo.simulation.codes import (
    ACTIVE,
    BY_DEATH,
    BY_DIVORCE,
    DECEASED,
    DIVORCED,
    FIRST_MARRIAGE,
    FIRST_MARRIED,
    MALE,
    MOVED_OUT,
    ON_REGISTER,
    REMARRIAGE,
    REMARRIED,
    UNMARRIED,
    WIDOWED,
)

YEAR = 365.2425
HOME_AREA = "620422"  # 会宁县: the area code of the county's own ID numbers


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _lerp(pair: tuple[float, float], i: int, n: int) -> float:
    return pair[0] + (pair[1] - pair[0]) * (i / (n - 1) if n > 1 else 0)


class Human:
    """One person of the synthetic county. Dates are ordinals (ints) for speed."""

    __slots__ = (
        "area",
        "born",
        "children",
        "entered",
        "ethnicity",
        "father",
        "free",
        "home",
        "hukou_type",
        "hukou_unit",
        "id_number",
        "kids",
        "last_birth",
        "last_event",
        "left",
        "marital",
        "marriage",
        "mother",
        "name",
        "phone",
        "pk",
        "registered",
        "relation",
        "settled",
        "sex",
        "spouse",
        "status",
        "surname",
        "unit",
        "updated",
        "version",
    )

    def age(self, day: int) -> float:
        return (day - self.born) / YEAR

    def alive_on(self, day: int) -> bool:
        return self.left is None or self.status != DECEASED or self.left > day


class Home:
    __slots__ = ("address", "dissolved", "entered", "head", "members", "number", "pk", "unit")


class Union:
    __slots__ = (
        "cause",
        "ended",
        "ended_entered",
        "entered",
        "husband",
        "kind",
        "married_on",
        "pk",
        "unit",
        "wife",
    )


@dataclass
class Village:
    code: str
    township: str
    short_name: str
    urban: bool
    target: int = 0
    clans: list[str] = field(default_factory=list)
    next_number: int = 1


@dataclass
class Population:
    """Everything the generator made, ready to be written."""

    today: date
    people: list[Human]
    homes: list[Home]
    unions: list[Union]
    births: list[tuple]  # (child, mother, father, born, sex, order, place, facility, g, unit, at)
    deaths: list[tuple]  # (person, died, cause, place, unit, at)
    migrations: list[tuple]  # (person, dir, moved, place, employer, phone, back, status, unit, at)
    moves: list[tuple]  # (person, unit, from_unit, moved, place, at)
    splits: list[tuple]  # (from_home, to_home, person_pks, changed, unit, at)


class SimulationBase:
    """The state every step shares, and the making of records."""

    def __init__(
        self,
        *,
        villages: list[Village],
        township_names: dict[str, str],
        scale: float,
        seed: int,
        today: date,
        tz: tzinfo,
        first_person_pk: int = 1,
        first_home_pk: int = 1,
        first_union_pk: int = 1,
        taken_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.rng = random.Random(seed)
        # The birth rows of children born before the window draw their details from a
        # stream of their own, so that adding them left the people themselves unchanged.
        self.older_rng = random.Random(f"{seed}:older births")
        self.villages = villages
        self.township_names = township_names
        self.scale = scale
        self.today = today.toordinal()
        self.tz = tz
        self.start = (add_years(today, -10) + timedelta(days=1)).toordinal()
        self.t0 = self.start - 1  # the register as it stood the day before the window
        self.people: list[Human] = []
        self.homes: list[Home] = []
        self.unions: list[Union] = []
        self.births: list[tuple] = []
        self.deaths: list[tuple] = []
        self.migrations: list[tuple] = []
        self.moves: list[tuple] = []
        self.splits: list[tuple] = []
        self.away: list = []  # births.Away: children living away, placed in families.py
        self.next_person, self.next_home, self.next_union = (
            first_person_pk,
            first_home_pk,
            first_union_pk,
        )
        self.taken_ids = taken_ids
        self.loaded_at = self._at(self.t0, 9 * 3600)
        self._surnames = [s for s, _ in names.SURNAMES]
        self._surname_cum = _cumulative(w for _, w in names.SURNAMES)
        self._hui = [s for s, _ in names.HUI_SURNAMES]
        self._hui_cum = _cumulative(w for _, w in names.HUI_SURNAMES)
        self._places = [p for p, _ in names.DESTINATIONS]
        self._places_cum = _cumulative(w for _, w in names.DESTINATIONS)

    # ------------------------------------------------------------------ drawing

    def _pick(self, items: list, cum: list[float]):
        return self.rng.choices(items, cum_weights=cum, k=1)[0]

    def _surname(self, village: Village, hui: bool) -> str:
        if hui:
            return self._pick(self._hui, self._hui_cum)
        if self.rng.random() < 0.55:
            return self.rng.choices(village.clans, weights=(40, 25, 20, 15), k=1)[0]
        return self._pick(self._surnames, self._surname_cum)

    def _given(self, sex: str, born: int) -> str:
        table = names.MALE_GIVEN if sex == MALE else names.FEMALE_GIVEN
        return self.rng.choice(table[names.era_of(date.fromordinal(born).year)])

    def _at(self, day: int, seconds: int) -> datetime:
        moment = datetime.combine(date.fromordinal(day), time()) + timedelta(seconds=seconds)
        return moment.replace(tzinfo=self.tz).astimezone(UTC)

    def _entered(self, day: int) -> datetime:
        """When a village worker typed the event in: mostly within days, some only
        after the monthly deadline (the 5th), a few months late."""
        r = self.rng.random()
        if r < 0.55:
            delay = self.rng.randint(0, 3)
        elif r < 0.85:
            delay = self.rng.randint(4, 25)
        elif r < 0.95:
            delay = self.rng.randint(26, 45)
        else:
            delay = self.rng.randint(46, 200)
        return self._at(min(day + delay, self.today), self.rng.randint(30_600, 63_000))

    def _place(self) -> str:
        """Where someone went: a city, weighted by how many from Huining go there."""
        return self._pick(self._places, self._places_cum)

    # ------------------------------------------------------------------ records

    def _human(
        self,
        *,
        village: Village,
        sex: str,
        born: int,
        surname: str,
        ethnicity: str,
        home: Home | None,
        hukou_type: str,
        mother: Human | None = None,
        father: Human | None = None,
        marital: str = UNMARRIED,
        entered: datetime | None = None,
    ) -> Human:
        h = Human()
        h.pk = self.next_person
        self.next_person += 1
        h.surname = surname
        h.name = surname + self._given(sex, born)
        h.sex, h.born, h.unit, h.hukou_unit = sex, born, village.code, village.code
        h.hukou_type, h.ethnicity, h.area = hukou_type, ethnicity, HOME_AREA
        h.home, h.mother, h.father, h.spouse, h.marriage = home, mother, father, None, None
        h.marital, h.status = marital, ACTIVE
        h.registered, h.left, h.settled, h.last_event = born, None, born, born
        # children: the births of the current couple, which its next birth's order counts.
        h.children, h.last_birth, h.kids, h.free = 0, 0, None, False
        for parent in (mother, father):
            if parent is not None:
                _adopt(parent, h)
        age = (self.today - born) / YEAR
        h.phone = self._phone() if 18 <= age <= 72 and self.rng.random() < 0.7 else ""
        h.id_number, h.relation = None, ""
        h.entered = h.updated = entered or self.loaded_at
        h.version = 1
        if home is not None:
            home.members.append(h)
        self.people.append(h)
        return h

    def _phone(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"

    def _home(self, village: Village, head: Human | None, entered: datetime) -> Home:
        home = Home()
        home.pk = self.next_home
        self.next_home += 1
        home.number = f"{village.code}{village.next_number:04d}"
        home.address = f"{village.short_name}{self.rng.randint(1, 12)}社{village.next_number}号"
        village.next_number += 1
        home.unit, home.head, home.dissolved, home.entered = village.code, head, None, entered
        home.members = []
        self.homes.append(home)
        return home

    def _marry(
        self, husband: Human, wife: Human, day: int, entered: datetime, *, seed: bool = False
    ) -> Union:
        union = Union()
        union.pk = self.next_union
        self.next_union += 1
        union.husband, union.wife, union.married_on = husband, wife, day
        union.unit, union.ended, union.cause, union.entered = wife.unit, None, "", entered
        union.ended_entered = None
        # As the registry's marriage service has it: each spouse is 初婚 or 再婚 by their
        # own history, and the marriage is a remarriage if either was married before.
        before = husband.marriage is not None or wife.marriage is not None
        union.kind = REMARRIAGE if before else FIRST_MARRIAGE
        self.unions.append(union)
        for person in (husband, wife):
            person.marital = REMARRIED if person.marriage is not None else FIRST_MARRIED
            person.marriage = union
            person.last_event = max(person.last_event, day)
            if not seed:
                self._touch(person, entered)
        husband.spouse, wife.spouse = wife, husband
        # Birth orders count the couple's children (couple_birth_order): a new couple
        # starts from one, whatever either had before.
        wife.children = 0
        return union

    def _end_union(self, union: Union, day: int, cause: str, entered: datetime) -> None:
        """A marriage ends by death (the survivor is widowed) or divorce (both are
        divorced); the spouses are free to marry again."""
        union.ended, union.cause, union.ended_entered = day, cause, entered
        for person in (union.husband, union.wife):
            person.spouse = None
            person.last_event = max(person.last_event, day)
            if person.status in ON_REGISTER:
                person.marital = DIVORCED if cause == BY_DIVORCE else WIDOWED
                self._touch(person, entered)

    def _record_death(self, p: Human, day: int, entered: datetime) -> None:
        """A death with a cause and place that fit the age; the person leaves the
        register and their marriage ends."""
        rng = self.rng
        age = p.age(day)
        if age < 1:
            cause = rng.choice(names.INFANT_CAUSES)
        elif age < 45:
            cause = rng.choice(names.YOUNG_CAUSES)
        else:
            cause = rng.choice(names.OLD_AGE_CAUSES)
        r = rng.random()
        place = "家中" if r < 0.7 else "医院" if r < 0.95 else "其他"
        self.deaths.append((p, day, cause, place, p.unit, entered))
        self._leave(p, DECEASED, day, entered)
        union = p.marriage
        if union is not None and union.ended is None:
            self._end_union(union, day, BY_DEATH, entered)

    def _move_away(self, p: Human, day: int, place: str, entered: datetime) -> None:
        """户口迁出: off the register for good, with where to (as move_away_record)."""
        self.moves.append((p, p.unit, p.unit, day, place, entered))
        self._leave(p, MOVED_OUT, day, entered)

    def _move_to(self, p: Human, village: Village, day: int, entered: datetime) -> None:
        """A move between two villages of the county: the same person, on the new
        village's register from that day (as residence_change_record)."""
        if village.code != p.unit:
            self.moves.append((p, village.code, p.unit, day, "", entered))
            p.unit = p.hukou_unit = village.code
            p.settled = max(p.settled, day)

    def _touch(self, person: Human, entered: datetime) -> None:
        if entered is self.loaded_at:
            return  # history carried in with the register: its rows are as loaded
        person.version += 1
        if entered > person.updated:
            person.updated = entered

    def _weighted_order(self, candidates: list[tuple[Human, float]]) -> list[Human]:
        """Candidates in a random order where weight w comes first w times as often
        (Efraimidis-Spirakis keys): a weighted sample without replacement."""
        keyed = [
            (self.rng.expovariate(w), p.pk, p) for p, w in candidates if w > 0
        ]  # pk breaks ties
        keyed.sort(key=lambda t: (t[0], t[1]))
        return [p for _, _, p in keyed]

    def _how_many(self, expected: float) -> int:
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

    def _village(self, code: str) -> Village:
        return self._villages_by_code[code]

    def _leave(self, p: Human, status: str, day: int, entered: datetime) -> None:
        p.status, p.left, p.last_event = status, day, day
        self._touch(p, entered)


def _adopt(parent: Human, child: Human) -> None:
    if parent.kids is None:
        parent.kids = [child]
    else:
        parent.kids.append(child)


def _cumulative(weights) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out
