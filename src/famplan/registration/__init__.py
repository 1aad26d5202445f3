"""Birth registration (生育登记): a service a family asks for, never an approval."""
