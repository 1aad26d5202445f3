"""The synthetic county in memory: households as they stood ten years ago, then ten years
of marriages, births, deaths and moves, then who is away working and who came in.

Pure Python and deterministic: every draw comes from one random.Random(seed), people and
households are visited in creation order (lists, never sets), and "today" is a parameter.
Rates are steered top-down (so many births this year, chosen among the women who could
have them) so that the realised figures land near the targets at any scale.
"""

from __future__ import annotations

import gc
import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from famplan.common.idnumbers import make_id_number
from famplan.demo import names

YEAR = 365.2425
ON_REGISTER = ("active", "away")
MARRIED = ("first_married", "remarried")
HOME_AREA = "620422"  # 会宁县: the area code of the county's own ID numbers

# Targets (2016-2026, rural Gansu, 2022 national birth-order shares).
BIRTH_RATE = (11.0, 7.0)  # per thousand, first year -> last year (mean about 9)
DEATH_RATE = (7.6, 8.4)  # per thousand, rising with ageing (mean about 8)
MARRIAGE_RATE = (6.5, 4.0)  # per thousand
MOVE_AWAY_RATE = 1.5  # per thousand a year: hukou moved out of the county (迁出)
ORDER_SHARES = (0.45, 0.40, 0.15)  # first, second, third or later births
# Boys per 100 girls by birth order (overall about 111, son preference at higher orders).
SEX_RATIO_BY_ORDER = (106.0, 113.0, 125.0)
AWAY_SHARE = 0.15  # of people on the register, working or living elsewhere (流出)
RETURNED_SHARE = 0.05  # people back home after a spell away
IN_MIGRANT_SHARE = 0.004  # people from elsewhere living in the county (流入)
HUI_SHARE = 0.012  # households of the Hui (回族); Huining is about 99% Han
NO_ID_NEWBORN_DAYS = 90  # newborns this young often have no ID number yet
# Share of births in hospital before the window, by year of birth (up to, share).
OLDER_HOSPITAL_SHARES = ((1980, 0.1), (1990, 0.25), (2000, 0.45), (2010, 0.75), (9999, 0.95))

# Age of the senior man of a household ten years ago: (from, to, weight).
HEAD_AGES = (
    (24, 30, 6),
    (30, 35, 8),
    (35, 40, 9),
    (40, 45, 11),
    (45, 50, 12),
    (50, 55, 12),
    (55, 60, 10),
    (60, 65, 9),
    (65, 70, 8),
    (70, 75, 7),
    (75, 80, 5),
    (80, 85, 3),
    (85, 91, 1),
)


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
        "home",
        "hukou_type",
        "hukou_unit",
        "id_number",
        "last_birth",
        "last_event",
        "last_order",
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


class Home:
    __slots__ = ("address", "dissolved", "entered", "head", "members", "number", "pk", "unit")


class Union:
    __slots__ = ("cause", "ended", "entered", "husband", "married_on", "pk", "unit", "wife")


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


class Simulation:
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
        self._head_ages = [(a, b) for a, b, _ in HEAD_AGES]
        self._head_cum = _cumulative(w for _, _, w in HEAD_AGES)

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
        table = names.MALE_GIVEN if sex == "M" else names.FEMALE_GIVEN
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

    def _day_between(self, first: int, last: int) -> int:
        return self.rng.randint(first, last)

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
        marital: str = "unmarried",
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
        h.marital, h.status = marital, "active"
        h.registered, h.left, h.settled, h.last_event = born, None, born, born
        h.children, h.last_birth, h.last_order = 0, 0, 0
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
        self.unions.append(union)
        for person in (husband, wife):
            person.marriage, person.marital = union, "first_married"
            person.last_event = max(person.last_event, day)
            if not seed:
                self._touch(person, entered)
        husband.spouse, wife.spouse = wife, husband
        return union

    def _touch(self, person: Human, entered: datetime) -> None:
        person.version += 1
        if entered > person.updated:
            person.updated = entered

    # ------------------------------------------------------------------ ten years ago

    def seed_households(self) -> None:
        # A household overshoots its village's target by a few people; the next
        # village makes up for it, so that small scales keep their total too.
        surplus = 0
        for village in self.villages:
            goal, made = village.target - surplus, 0
            while made < goal:
                made += self._seed_household(village)
            surplus = made - goal

    def _seed_household(self, village: Village) -> int:
        rng = self.rng
        hui = rng.random() < HUI_SHARE
        ethnicity = "回族" if hui else "汉族"
        if village.urban:
            hukou = "urban" if rng.random() < 0.7 else "rural"
        else:
            hukou = "rural" if rng.random() < 0.97 else "urban"
        lo, hi = self._pick(self._head_ages, self._head_cum)
        man_born = self.t0 - int(rng.uniform(lo, hi) * YEAR)
        surname = self._surname(village, hui)
        home = self._home(village, None, self.loaded_at)
        first = len(self.people)
        man_age = (self.t0 - man_born) / YEAR

        if 28 <= man_age <= 70 and rng.random() < 0.07:
            # An unmarried man on his own (光棍), sometimes with his widowed mother.
            man = self._human(
                village=village, sex="M", born=man_born, surname=surname,
                ethnicity=ethnicity, home=home, hukou_type=hukou,
            )  # fmt: skip
            home.head = man
            if man_age < 55 and rng.random() < 0.4:
                mother_born = man_born - int(rng.uniform(22, 32) * YEAR)
                self._human(
                    village=village, sex="F", born=mother_born, surname=self._surname(village, hui),
                    ethnicity=ethnicity, home=home, hukou_type=hukou, marital="widowed",
                )  # fmt: skip
            return len(self.people) - first

        man_dead, wife_dead = _widowhood(man_age, rng)
        man, wife, son_home = self._family(
            village, home, man_born, surname, ethnicity, hukou, man_dead, wife_dead
        )
        if son_home is not None:
            self._son_family(son_home, village, home, ethnicity, hukou)
        # The father heads the household; after him the son who stayed, else the widow.
        home.head = man or son_home or wife
        if man is not None and not man_dead and man_age < 50 and rng.random() < 0.12:
            # His widowed mother lives with them.
            grandma_born = man_born - int(rng.uniform(22, 32) * YEAR)
            if (self.t0 - grandma_born) / YEAR < 92:
                man.mother = self._human(
                    village=village, sex="F", born=grandma_born,
                    surname=self._surname(village, hui), ethnicity=ethnicity, home=home,
                    hukou_type=hukou, marital="widowed",
                )  # fmt: skip
        return len(self.people) - first

    def _wife_surname(self, village: Village, ethnicity: str) -> str:
        if ethnicity == "回族":
            return self._pick(self._hui, self._hui_cum)
        return self._surname(village, False)

    def _family(
        self,
        village: Village,
        home: Home,
        man_born: int,
        surname: str,
        ethnicity: str,
        hukou: str,
        man_dead: bool,
        wife_dead: bool,
    ) -> tuple[Human | None, Human | None, Human | None]:
        """A couple married before the window and their children born by then. A dead
        spouse is not on the register: the survivor is widowed, the children keep the
        link to the living parent only. Returns the man, the wife and the married son
        who stayed with them (if any)."""
        rng = self.rng
        wife_born = man_born + int(rng.choice((-1, 0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)) * YEAR)
        married_on = self._married_on(man_born, wife_born)
        man = wife = None
        if not man_dead:
            man = self._human(
                village=village, sex="M", born=man_born, surname=surname,
                ethnicity=ethnicity, home=home, hukou_type=hukou,
                marital="widowed" if wife_dead else "first_married",
            )  # fmt: skip
        if not wife_dead:
            wife = self._human(
                village=village, sex="F", born=wife_born,
                surname=self._wife_surname(village, ethnicity), ethnicity=ethnicity,
                home=home, hukou_type=hukou, marital="widowed" if man_dead else "first_married",
            )  # fmt: skip
        if man is not None and wife is not None:
            self._marry(man, wife, married_on, self.loaded_at, seed=True)
        son_home = self._children(
            village, home, man, wife, wife_born, married_on, surname, ethnicity, hukou,
            son_may_stay=True,
        )  # fmt: skip
        return man, wife, son_home

    def _married_on(self, man_born: int, wife_born: int) -> int:
        rng = self.rng
        year = date.fromordinal(wife_born).year
        mean = 20.5 if year < 1960 else 21.5 if year < 1980 else 23.0
        wife_age = max(20.0, rng.gauss(mean, 1.8))
        day = max(wife_born + int(wife_age * YEAR), man_born + int(22 * YEAR))
        day += rng.randint(0, 180)
        return min(day, self.t0 - rng.randint(30, 400))

    def _children(
        self,
        village: Village,
        home: Home,
        man: Human | None,
        wife: Human | None,
        wife_born: int,
        married_on: int,
        surname: str,
        ethnicity: str,
        hukou: str,
        *,
        son_may_stay: bool,
    ) -> Human | None:
        """The couple's children born before the window. Those at home (minors and
        unmarried adults) are on the register here, with a birth row where the mother is
        known; married daughters and sons who left are elsewhere, but count in the
        orders of the younger ones (as 孩次 does). Returns the one married son who
        stayed, if any."""
        rng = self.rng
        year = date.fromordinal(wife_born).year
        if year < 1945:
            wanted = rng.choices((3, 4, 5, 6), weights=(20, 35, 30, 15))[0]
        elif year < 1960:
            wanted = rng.choices((2, 3, 4, 5), weights=(20, 40, 30, 10))[0]
        elif year < 1975:
            wanted = rng.choices((1, 2, 3, 4), weights=(15, 45, 30, 10))[0]
        else:
            wanted = rng.choices((1, 2, 3), weights=(35, 48, 17))[0]
        son_home = None
        day = married_on + rng.randint(280, 900)
        count = last = 0
        while count < wanted and day <= self.t0 and (day - wife_born) / YEAR < 42:
            count += 1
            last = day
            sex = "M" if rng.random() < 0.52 else "F"
            married = rng.random() < _married_by((self.t0 - day) / YEAR, sex)
            stays = not married or (
                son_may_stay and sex == "M" and son_home is None and rng.random() < 0.5
            )
            if stays:
                kid = self._human(
                    village=village, sex=sex, born=day, surname=surname, ethnicity=ethnicity,
                    home=home, hukou_type=hukou, mother=wife, father=man,
                )  # fmt: skip
                if married:
                    son_home = kid
                if wife is not None:
                    self._older_birth(kid, wife, man, count)
            day += rng.randint(500, 1800)
        if wife is not None:
            wife.children, wife.last_birth = count, last
        if man is not None:
            man.children = count
        return son_home

    def _older_birth(self, child: Human, mother: Human, father: Human | None, order: int) -> None:
        """The birth row of a child born before the window, as the old systems' data
        carries it: entered when the register was loaded, no weight, and born at home
        more often the longer ago it was."""
        rng = self.older_rng
        year = date.fromordinal(child.born).year
        in_hospital = next(share for until, share in OLDER_HOSPITAL_SHARES if year < until)
        if rng.random() < in_hospital:
            place = "hospital"
            if rng.random() < 0.6:
                facility = self.township_names.get(mother.unit[:9], "乡镇") + "卫生院"
            else:
                facility = rng.choice(names.HOSPITALS)
        else:
            place, facility = "home", ""
        mother.last_order = order
        self.births.append(
            (child, mother, father, child.born, child.sex, order, place, facility, None,
             mother.unit, self.loaded_at)
        )  # fmt: skip

    def _son_family(
        self, son: Human, village: Village, home: Home, ethnicity: str, hukou: str
    ) -> None:
        """The married son who stayed with his parents: his wife and their children."""
        rng = self.rng
        wife_born = son.born + int(rng.choice((-1, 0, 1, 1, 2, 2, 3, 3, 4, 5)) * YEAR)
        married_on = self._married_on(son.born, wife_born)
        wife = self._human(
            village=village, sex="F", born=wife_born,
            surname=self._wife_surname(village, ethnicity), ethnicity=ethnicity, home=home,
            hukou_type=hukou,
        )  # fmt: skip
        self._marry(son, wife, married_on, self.loaded_at, seed=True)
        self._children(
            village, home, son, wife, wife_born, married_on, son.surname, ethnicity, hukou,
            son_may_stay=False,
        )  # fmt: skip

    # ------------------------------------------------------------------ ten years

    def run_years(self) -> None:
        today_end = self.today + 1
        bounds = []
        start = date.fromordinal(self.start)
        for i in range(10):
            lo = add_years(start, i).toordinal()
            hi = min(add_years(start, i + 1).toordinal(), today_end)
            bounds.append((lo, hi))
        for i, (lo, hi) in enumerate(bounds):
            # One pass over everyone a year; the steps below filter this list.
            living = [p for p in self.people if p.status == "active"]
            n, made = len(living), len(self.people)
            self._marriages(living, lo, hi, _lerp(MARRIAGE_RATE, i, 10) * n / 1000)
            self._births(living, lo, hi, _lerp(BIRTH_RATE, i, 10) * n / 1000)
            self._moves_away(living, lo, hi, MOVE_AWAY_RATE * n / 1000)
            newborns = self.people[made:]
            self._deaths(living + newborns, lo, hi, _lerp(DEATH_RATE, i, 10) * n / 1000)

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

    def _marriages(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        rng = self.rng
        men, women_by_township, women = [], {}, []
        for p in living:
            if p.marital != "unmarried" or p.home is None:
                continue
            age = p.age(lo)
            if p.sex == "M" and 21.5 <= age <= 45:
                men.append((p, math.exp(-(((age - 27) / 4.5) ** 2)) + 0.03))
            elif p.sex == "F" and 19.5 <= age <= 38:
                women_by_township.setdefault(p.unit[:9], []).append(p)
                women.append(p)
        wanted = self._how_many(expected)
        taken: set[int] = set()
        done = 0
        for groom in self._weighted_order(men):
            if done >= wanted:
                break
            first = max(lo, groom.last_event + 1, groom.born + int(22 * YEAR))
            if first >= hi:
                continue
            day = rng.randint(first, hi - 1)
            pool = women_by_township.get(groom.unit[:9], []) if rng.random() < 0.85 else women
            bride = self._bride(groom, pool, taken, day)
            if bride is None:
                continue
            taken.add(bride.pk)
            self._wed(groom, bride, day)
            done += 1

    def _bride(self, groom: Human, pool: list[Human], taken: set[int], day: int) -> Human | None:
        if not pool:
            return None
        rng = self.rng
        want = groom.age(day) - rng.gauss(2.5, 2.0)
        best, best_gap = None, 99.0
        for _ in range(12):
            cand = pool[rng.randrange(len(pool))]
            if cand.pk in taken or cand.status != "active" or cand.marital != "unmarried":
                continue
            age = cand.age(day)
            if age < 20 or cand.last_event >= day:
                continue
            if (cand.father is not None and cand.father is groom.father) or (
                cand.mother is not None and cand.mother is groom.mother
            ):
                continue
            gap = abs(age - want)
            if gap < best_gap:
                best, best_gap = cand, gap
        return best if best_gap < 8 else None

    def _wed(self, groom: Human, bride: Human, day: int) -> None:
        rng = self.rng
        entered = self._entered(day)
        if bride.unit != groom.unit:
            self.moves.append((bride, groom.unit, bride.unit, day, "", self._entered(day)))
            bride.unit = bride.hukou_unit = groom.unit
            bride.settled = day
        if groom.home is not None and groom.home.head is not groom and rng.random() < 0.3:
            # The new couple sets up a household of their own (分户).
            village = self._village(groom.unit)
            old = groom.home
            new = self._home(village, groom, entered)
            old.members.remove(groom)
            new.members.append(groom)
            groom.home = new
            groom.settled = day
            self.splits.append((old, new, [groom.pk], day, village.code, entered))
        if bride.home is not None:
            bride.home.members.remove(bride)
        bride.home = groom.home
        groom.home.members.append(bride)
        self._marry(groom, bride, day, entered)

    def _village(self, code: str) -> Village:
        return self._villages_by_code[code]

    def _births(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        rng = self.rng
        pools: list[list[tuple[Human, float]]] = [[], [], []]
        for p in living:
            if p.sex != "F" or p.status != "active" or p.marital not in MARRIED:
                continue
            husband = p.spouse
            if husband is None or husband.status == "deceased" or husband.status == "moved_out":
                continue
            age = p.age(lo)
            if not 19 <= age <= 46:
                continue
            order = min(p.children, 2)
            if order == 0:
                w = math.exp(-(((age - 25) / 4.5) ** 2))
            else:
                peak = 30 if order == 1 else 32
                w = math.exp(-(((age - peak) / 5.0) ** 2))
                since = (lo - p.last_birth) / YEAR
                w *= 0.15 if since < 1.5 else 0.5 if since < 2 else 1.0 if since < 7 else 0.4
            pools[order].append((p, w))
        total = self._how_many(expected)
        for order in range(3):
            wanted = round(total * ORDER_SHARES[order])
            done = 0
            for mother in self._weighted_order(pools[order]):
                if done >= wanted:
                    break
                first = max(lo, mother.last_event + 1, mother.last_birth + 300)
                if mother.children == 0 and mother.marriage is not None:
                    first = max(first, mother.marriage.married_on + 200)
                if first >= hi or (first - mother.born) / YEAR > 49:
                    continue
                if mother.last_order != mother.children:
                    # Her youngest child left home and has no birth row: the register
                    # could not continue her orders. Rare (she is 40 or more): skip her.
                    continue
                self._birth(mother, rng.randint(first, hi - 1), order)
                done += 1

    def _birth(self, mother: Human, day: int, order_class: int) -> None:
        rng = self.rng
        father = mother.spouse
        ratio = SEX_RATIO_BY_ORDER[order_class]
        sex = "M" if rng.random() < ratio / (ratio + 100) else "F"
        village = self._village(mother.unit)
        entered = self._entered(day)
        surname = father.surname
        child = self._human(
            village=village, sex=sex, born=day, surname=surname, ethnicity=father.ethnicity,
            home=mother.home, hukou_type=mother.hukou_type, mother=mother, father=father,
            entered=entered,
        )  # fmt: skip
        mother.children += 1
        father.children += 1
        # Her order is 1 + her highest recorded order (see the check in _births), the
        # services' rule, so births recorded after the generation continue it.
        mother.last_birth, mother.last_order = day, mother.children
        for parent in (mother, father):
            parent.last_event = max(parent.last_event, day)
        r = rng.random()
        if r < 0.97:
            place = "hospital"
            s = rng.random()
            if s < 0.6:
                facility = rng.choice(names.HOSPITALS)
            elif s < 0.85:
                facility = self.township_names.get(mother.unit[:9], "乡镇") + "卫生院"
            else:
                facility = rng.choice(names.OTHER_HOSPITALS)
        else:
            place, facility = ("home", "") if r < 0.99 else ("other", "")
        weight = min(4800, max(1500, int(rng.gauss(3250, 430))))
        self.births.append(
            (child, mother, father, day, sex, mother.children, place, facility, weight,
             mother.unit, entered)
        )  # fmt: skip

    def _moves_away(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        candidates = []
        for p in living:
            if p.status != "active" or p.marital != "unmarried":
                continue
            age = p.age(lo)
            if 18 <= age <= 35:
                candidates.append((p, math.exp(-(((age - 21) / 5.0) ** 2))))
        wanted = self._how_many(expected)
        done = 0
        for p in self._weighted_order(candidates):
            if done >= wanted:
                break
            first = max(lo, p.last_event + 1)
            if first >= hi:
                continue
            day = self.rng.randint(first, hi - 1)
            place = self._pick(self._places, self._places_cum)
            entered = self._entered(day)
            self.moves.append((p, p.unit, p.unit, day, place, entered))
            self._leave(p, "moved_out", day, entered)
            done += 1

    def _leave(self, p: Human, status: str, day: int, entered: datetime) -> None:
        p.status, p.left, p.last_event = status, day, day
        self._touch(p, entered)

    def _deaths(self, living: list[Human], lo: int, hi: int, expected: float) -> None:
        rng = self.rng
        weighted = []
        total = 0.0
        last_age = len(MORTALITY) - 1
        for p in living:
            if p.status != "active":
                continue
            age = (lo - p.born) // 365
            q = MORTALITY[0 if age < 0 else age if age < last_age else last_age]
            weighted.append((p, q))
            total += q
        if not total:
            return
        factor = expected / total
        for p, q in weighted:
            if rng.random() >= min(0.9, q * factor):
                continue
            first = max(lo, p.last_event + 1)
            if first >= hi:
                continue
            day = rng.randint(first, hi - 1)
            age = p.age(day)
            if age < 1:
                cause = rng.choice(names.INFANT_CAUSES)
            elif age < 45:
                cause = rng.choice(names.YOUNG_CAUSES)
            else:
                cause = rng.choice(names.OLD_AGE_CAUSES)
            r = rng.random()
            place = "家中" if r < 0.7 else "医院" if r < 0.95 else "其他"
            entered = self._entered(day)
            self.deaths.append((p, day, cause, place, p.unit, entered))
            self._leave(p, "deceased", day, entered)
            union = p.marriage
            if union is not None and union.ended is None and p.spouse is not None:
                union.ended, union.cause = day, "death"
                survivor = p.spouse
                if survivor.status in ON_REGISTER:
                    survivor.marital = "widowed"
                    self._touch(survivor, entered)

    # ------------------------------------------------------------------ today

    def migrations_out(self) -> None:
        """Who is away working today (流出, status away), and who came back."""
        rng = self.rng
        weights = []
        for p in self.people:
            if p.status != "active" or p.home is None:
                continue
            weights.append((p, _away_weight(p.age(self.today))))
        total = sum(w for _, w in weights)
        factor = AWAY_SHARE * len(weights) / total if total else 0
        earliest = self.start - int(3 * YEAR)
        for p, w in weights:
            first = max(earliest, p.settled, p.registered, p.born + int(16 * YEAR))
            if first >= self.today:
                first = max(p.settled, p.registered, p.born + 1)
            if first >= self.today:
                continue
            r = rng.random()
            if r < min(0.95, w * factor):
                day = rng.randint(first, self.today)
                self._migration_out(p, day, None)
            elif r < min(0.95, w * factor) + RETURNED_SHARE * (1 if w > 0.1 else 0.2):
                if self.today - first < 120:
                    continue
                day = rng.randint(first, self.today - 90)
                back = rng.randint(day + 60, self.today) if day + 60 <= self.today else None
                if back is not None:
                    self._migration_out(p, day, back)

    def _migration_out(self, p: Human, day: int, back: int | None) -> None:
        rng = self.rng
        place = self._pick(self._places, self._places_cum)
        employer = ""
        if p.age(day) >= 18 and rng.random() < 0.5:
            employer = place[-3:-1] + rng.choice(names.TRADES) + "有限公司"
        phone = p.phone or (self._phone() if rng.random() < 0.6 else "")
        entered = self._entered(day)
        status = "active" if back is None else "returned"
        self.migrations.append(
            (p, "out", day, place, employer, phone, back, status, p.unit, entered)
        )
        if back is None:
            p.status = "away"
        self._touch(p, entered)

    def migrations_in(self) -> None:
        """A few people from elsewhere now living in the county (流入)."""
        rng = self.rng
        on_register = sum(1 for p in self.people if p.status in ON_REGISTER)
        count = round(IN_MIGRANT_SHARE * on_register)
        weights = [v.target * (3 if v.urban else 1) for v in self.villages]
        cum = _cumulative(weights)
        for _ in range(count):
            village = self.rng.choices(self.villages, cum_weights=cum, k=1)[0]
            area, origin = rng.choice(names.ORIGINS)
            hui = area == "640402" and rng.random() < 0.4
            day = rng.randint(self.start, self.today)
            born = day - int(rng.uniform(18, 50) * YEAR)
            sex = "M" if rng.random() < 0.6 else "F"
            entered = self._entered(day)
            p = self._human(
                village=village, sex=sex, born=born, surname=self._surname(village, hui),
                ethnicity="回族" if hui else "汉族", home=None, hukou_type="rural",
                entered=entered, marital="unmarried" if (day - born) / YEAR < 28 else "",
            )  # fmt: skip
            p.hukou_unit, p.area, p.registered, p.settled = None, area, day, day
            employer = rng.choice(names.TRADES) + "有限公司" if rng.random() < 0.5 else ""
            back = None
            if rng.random() < 0.25 and day + 30 <= self.today:
                back = rng.randint(day + 30, self.today)
                p.status, p.left = "moved_out", back
            status = "active" if back is None else "returned"
            self.migrations.append(
                (p, "in", day, origin, employer, p.phone, back, status, village.code, entered)
            )

    def settle_households(self) -> None:
        """Heads and relations as they stand today: a head who died or left is
        followed by the spouse, else the eldest adult man, else the eldest member."""
        for home in self.homes:
            head = home.head
            present = [m for m in home.members if m.status in ON_REGISTER]
            if head is None or head.status not in ON_REGISTER or head.home is not home:
                spouse = head.spouse if head is not None else None
                if spouse is not None and spouse.status in ON_REGISTER and spouse.home is home:
                    head = spouse
                elif present:
                    adult = self.today - int(18 * YEAR)
                    head = min(present, key=lambda m: (m.born > adult, m.sex != "M", m.born, m.pk))
                elif home.members:
                    home.dissolved = max(m.left or self.today for m in home.members)
                else:
                    home.dissolved = self.today
                home.head = head
            if head is None:
                continue
            for m in home.members:
                m.relation = _relation(m, head)

    def assign_id_numbers(self) -> None:
        rng = self.rng
        used: dict[tuple[str, int, str], set[int]] = {}
        for p in self.people:
            if self.today - p.born < NO_ID_NEWBORN_DAYS and rng.random() < 0.5:
                continue
            if p.born >= self.start and rng.random() < 0.01:
                continue  # a few children never got one: the quality lists show them
            key = (p.area, p.born, p.sex)
            seqs = used.setdefault(key, set())
            while True:
                seq = rng.randrange(500)
                if seq in seqs:
                    continue
                seqs.add(seq)
                candidate = make_id_number(p.area, date.fromordinal(p.born), seq, p.sex)
                if candidate not in self.taken_ids:
                    p.id_number = candidate
                    break

    def run(self) -> Population:
        # Half a million long-lived objects: the cyclic garbage collector would walk
        # them all again and again while nothing here needs collecting.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run()
        finally:
            if collecting:
                gc.enable()

    def _run(self) -> Population:
        self._villages_by_code = {v.code: v for v in self.villages}
        for village in self.villages:
            village.clans = [self._pick(self._surnames, self._surname_cum) for _ in range(4)]
        self.seed_households()
        self.run_years()
        self.migrations_out()
        self.migrations_in()
        self.settle_households()
        self.assign_id_numbers()
        return Population(
            today=date.fromordinal(self.today),
            people=self.people,
            homes=self.homes,
            unions=self.unions,
            births=self.births,
            deaths=self.deaths,
            migrations=self.migrations,
            moves=self.moves,
            splits=self.splits,
        )


def _cumulative(weights) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _widowhood(age: float, rng: random.Random) -> tuple[bool, bool]:
    """Whether the husband / the wife of a couple of this age had died before."""
    p = 0.0 if age < 55 else 0.06 if age < 65 else 0.18 if age < 75 else 0.38 if age < 85 else 0.6
    man_dead = rng.random() < p
    wife_dead = not man_dead and rng.random() < p * 0.5
    return man_dead, wife_dead


def _married_by(age: float, sex: str) -> float:
    """Share of people of this age already married (and so gone from the parents'
    household, for daughters)."""
    if sex == "F":
        points = ((19, 0.0), (21, 0.2), (23, 0.5), (25, 0.75), (28, 0.9), (32, 0.96))
    else:
        points = ((21, 0.0), (23, 0.15), (25, 0.4), (28, 0.65), (32, 0.82), (40, 0.9))
    if age <= points[0][0]:
        return 0.0
    for (a0, v0), (a1, v1) in itertools.pairwise(points):
        if age <= a1:
            return v0 + (v1 - v0) * (age - a0) / (a1 - a0)
    return points[-1][1]


def _mortality(age: float) -> float:
    """Relative chance of dying within the year at this age (a Gompertz curve with an
    infant bump); scaled each year to the target death rate."""
    if age < 1:
        return 0.006
    if age < 5:
        return 0.0006
    if age < 15:
        return 0.0003
    if age < 40:
        return 0.0008
    return 0.0008 * math.exp(0.085 * (age - 40))


MORTALITY = tuple(_mortality(age + 0.5 if age else 0) for age in range(121))


def _away_weight(age: float) -> float:
    """Relative chance of being away working today, by age."""
    if age < 3:
        return 0.02
    if age < 16:
        return 0.1
    if age < 18:
        return 0.2
    if age < 25:
        return 0.45
    if age < 35:
        return 0.5
    if age < 45:
        return 0.38
    if age < 55:
        return 0.2
    if age < 65:
        return 0.07
    return 0.01


def _relation(p: Human, head: Human) -> str:
    if p is head:
        return "head"
    spouse = head.spouse
    if p is spouse:
        return "spouse"
    elders = [x for x in (head, spouse) if x is not None]
    if any(x is p.mother or x is p.father for x in elders):
        return "child"
    if p is head.mother or p is head.father:
        return "parent"
    if p.spouse is not None and (p.spouse is head.mother or p.spouse is head.father):
        return "parent"
    for parent in (p.mother, p.father):
        if parent is not None and any(x is parent.mother or x is parent.father for x in elders):
            return "grandchild"
    partner = p.spouse
    if partner is not None and any(x is partner.mother or x is partner.father for x in elders):
        return "child_in_law"
    if (p.mother is not None and p.mother is head.mother) or (
        p.father is not None and p.father is head.father
    ):
        return "sibling"
    return "other"
