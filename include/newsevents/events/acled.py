"""ACLED event and sub-event types of a coded event (ACLED Codebook 2023 definitions).

ACLED has six event types and 25 sub-event types; PLOVER and CAMEO code actions, not
the form of political violence, so the ACLED type follows from the PLOVER type and mode,
the armed or state sector of each actor, and a few cue words of the sentence
(``data/events/acled.yaml``): the weapon ("grenade", "sarin"), a protest met by force
("dispersed", "tear gas"), lethal force ("killed", "live ammunition"), a mob, a base set
up, a weapon defused, looting. The rules, in ACLED's terms:

* Battles: violence between two armed, organised actors ("Armed clash"); a state force or
  a non-state group taking territory (CAMEO 192 "occupy territory": "Government regains
  territory" / "Non-state actor overtakes territory").
* Explosions/Remote violence: violence whose weapon works at a distance: an air or drone
  strike, shelling, artillery or missiles, remote explosives, landmines and IEDs, a
  grenade, a suicide bomb, a chemical weapon.
* Violence against civilians: violence of an armed actor against unarmed people ("Attack"),
  abduction or forced disappearance, sexual violence.
* Protests: a peaceful demonstration; one met by force short of lethal force ("Protest
  with intervention"); lethal or grave force against protesters ("Excessive force").
* Riots: a violent demonstration (demonstrators riot, burn tyres, throw stones, build
  barricades); violence by a crowd with no demonstration ("Mob violence").
* Strategic developments: agreements (ceasefires, peace deals, prisoner exchanges,
  surrenders, any agreement with a non-state armed group), arrests, a headquarters
  or base established, looting or destruction of property, disrupted weapons use (a bomb
  defused, a missile intercepted, weapons seized), a non-violent transfer of territory (a
  withdrawal from a place or from territory), a change to a group or its activity
  (mobilisation, disarmament, a merger), and "Other".

Verbal events, most cooperation and most demands have no ACLED type: (None, None); nor
have arrests, seizures and violence over crime for gain ("arrested three men suspected of
robbing a bank": the ``crime`` cues), which ACLED does not code as political.

ACLED codes a demonstration and what happens at it as one event, where an article often
reports them in two sentences ("Teachers protested in Harare. Police dispersed them with tear
gas."): ``settle_protests`` gives the protest the sub-event type of what followed, and keeps
one of the two as the ACLED event.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import yaml

from newsevents.events.codebook import Coding
from newsevents.events.geo import COUNTRY
from newsevents.events.words import DATA, check_list, inflections
from newsevents.schema import Event

# Sectors ACLED counts as armed: violence between two of them is a battle, violence against
# anyone else (or against unnamed victims) is violence against civilians.
ARMED_SECTORS = frozenset({"MIL", "REB", "COP", "UAF", "IMG", "SPY", "INS"})
STATE_SECTORS = frozenset({"GOV", "MIL", "COP", "SPY"})
# Sectors whose members demonstrate: their violence against property is a riot ("students
# set fire to the administration block"), not looting
DEMONSTRATOR_SECTORS = frozenset({"EDU", "LAB", "OPP", "AGR"})
# Unarmed people who act as a crowd: their violence against people, with no protest, is mob
# violence ("students stoned a classmate to death over a message deemed blasphemous"); not
# herders ("Fulani herdsmen attacked the village"), whom ACLED codes as an identity militia
CROWD_SECTORS = frozenset({"CVL", "EDU", "LAB", "REL"})
# armed groups that are not the state's: any agreement with one is ACLED's "Agreement"
NON_STATE_ARMED = frozenset({"REB", "UAF", "IMG", "INS"})
_CUES = ("grenade", "chemical", "protesters", "intervention", "lethal_force", "less_lethal",
         "rioting", "mob", "settlement", "base", "establish", "disrupted", "downed", "seizure",
         "looting", "territory", "group_change", "battle", "crime",
         "organised_civilians", "agreed", "peacekeepers", "unilateral",
         "protest_scene", "handover", "communications",
         "destroyed_weapons", "suicide", "before_protest", "thrown")  # fmt: skip

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
CIVILIANS = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"


@dataclass(frozen=True)
class AcledFacts:
    """What the ACLED type of an event depends on."""

    coding: Coding
    actor1_sector: str | None
    actor2_sector: str | None
    cues: Collection[str] = ()  # the sentence's lemmas (lower case)
    fatalities: int | None = None
    local_place: bool = False  # the sentence names where, below country level ("Bucha")


class AcledMapper:
    """ACLED types by the rules of the module docstring; build once and share."""

    def __init__(
        self, weapons: frozenset[str], cues: dict[str, frozenset[str]] | None = None
    ) -> None:
        """``weapons``: the lexicon's words for explosives and arms (triggers.yaml classes
        ``explosives`` and ``weaponry``), the cue of disrupted weapons use."""
        if cues is None:
            with (DATA / "acled.yaml").open(encoding="utf-8") as f:
                raw = yaml.safe_load(f)
            cues = {
                name: frozenset(check_list(name, raw.get(name), "acled.yaml")) for name in _CUES
            }
        cues = {**cues, "weapons": weapons}
        # A cue word the lexicon does not know is not lemmatised ("tyres", "rioters",
        # "caches"): it matches in any regular inflection.
        self.cues = {
            name: frozenset(form for word in words for form in inflections(word))
            for name, words in cues.items()
        }

    def _has(self, facts: AcledFacts, name: str) -> bool:
        return not self.cues[name].isdisjoint(facts.cues)

    def classify(self, facts: AcledFacts) -> tuple[str | None, str | None]:
        """(ACLED event type, sub-event type), or (None, None)."""
        c = facts.coding
        kind, mode = c.plover_type, c.plover_mode
        if self._criminal(facts):
            return None, None
        if kind == "ASSAULT":
            return self._violence(facts)
        if kind == "PROTEST":
            if mode == "riot":
                return RIOTS, "Mob violence" if self._has(facts, "mob") else "Violent demonstration"
            if mode == "vandalize":
                return RIOTS, "Violent demonstration"
            if mode in (None, "demo", "strike", "hunger", "obstruct"):
                if self._has(facts, "rioting"):
                    return RIOTS, "Violent demonstration"
                if self._has(facts, "intervention"):
                    return PROTESTS, "Protest with intervention"
                return PROTESTS, "Peaceful protest"
            return None, None  # a boycott
        return self._strategic(facts)

    def _violence(self, facts: AcledFacts) -> tuple[str | None, str | None]:
        c = facts.coding
        mode = c.plover_mode
        if self._has(facts, "mob") and facts.actor1_sector in (None, "UAF", "CVL"):
            return RIOTS, "Mob violence"
        at_protest = self._at_protest(facts)
        # rioting against the state, or at a protest, or by no one named: residents who
        # throw stones at each other or burn a neighbour's home are a mob (below)
        rioting = self._has(facts, "rioting") and (
            facts.actor1_sector is None or at_protest or facts.actor2_sector in STATE_SECTORS
        )
        crowd = facts.actor1_sector is None or facts.actor1_sector in CROWD_SECTORS
        if crowd and (rioting or self._has(facts, "protesters")):
            # "people injured by rioters throwing stones", "protesters stormed parliament",
            # "angry residents vandalised a police vehicle"
            return RIOTS, "Violent demonstration"
        if self._has(facts, "chemical") or mode == "unconventional":
            return REMOTE, "Chemical weapon"  # "used chlorine gas", not a crowd's tear gas
        # state forces' violence at a protest ("killed a student during a demonstration")
        against_protesters = at_protest and facts.actor1_sector in STATE_SECTORS
        if self._has(facts, "rioting") and (against_protesters or mode == "crowd-control"):
            # force against demonstrators who riot ("police fired tear gas at stone-throwing
            # protesters"): ACLED codes the riot; excessive force is against peaceful ones
            return RIOTS, "Violent demonstration"
        if mode == "crowd-control" or against_protesters:
            lethal = bool(facts.fatalities) or (
                self._has(facts, "lethal_force") and not self._has(facts, "less_lethal")
            )
            if lethal:
                return PROTESTS, "Excessive force against protesters"
            return PROTESTS, "Protest with intervention"
        if self._has(facts, "weapons") and (
            self._has(facts, "disrupted") or (mode == "aerial" and self._has(facts, "downed"))
        ):
            return STRATEGIC, "Disrupted weapons use"  # a bomb defused, drones shot down
        if mode == "suicide-attack" or (mode == "explosives" and self._has(facts, "suicide")):
            return REMOTE, "Suicide bomb"
        if mode in ("aerial", "drone"):
            return REMOTE, "Air/drone strike"
        if self._has(facts, "grenade") or (mode == "explosives" and self._has(facts, "thrown")):
            return REMOTE, "Grenade"
        if mode == "explosives":
            return REMOTE, "Remote explosive/landmine/IED"
        if mode == "heavy-weapons":
            return REMOTE, "Shelling/artillery/missile attack"
        if mode == "abduct":
            return CIVILIANS, "Abduction/forced disappearance"
        if mode == "sexual":
            return CIVILIANS, "Sexual violence"
        # men who shoot someone dead are armed, not a crowd ("men on motorbikes shot dead
        # a village chief"), unless a mob is named
        mob = (
            facts.actor1_sector in CROWD_SECTORS
            and not self._has(facts, "organised_civilians")
            and (mode != "firearms" or self._has(facts, "mob"))
        )
        if mode == "destroy" or (c.cameo_code.startswith("17") and self._has(facts, "looting")):
            if facts.actor1_sector in DEMONSTRATOR_SECTORS or (mob and at_protest):
                return RIOTS, "Violent demonstration"  # "students torched the administration block"
            if mob:  # "a crowd set fire to the homes of two men accused of witchcraft"
                return RIOTS, "Mob violence"
            destroyer = facts.actor1_sector in (None, "UAF", *STATE_SECTORS)
            if self._has(facts, "destroyed_weapons") and destroyer:
                # "seized firearms were set on fire at a public ceremony"
                return STRATEGIC, "Change to group/activity"
            return STRATEGIC, "Looting/property destruction"
        if c.cameo_code.startswith("192"):
            if self._has(facts, "handover"):
                # "took control of the town after the rebels agreed to hand over their positions"
                return STRATEGIC, "Non-violent transfer of territory"
            if facts.actor1_sector in STATE_SECTORS:
                return BATTLES, "Government regains territory"
            return BATTLES, "Non-state actor overtakes territory"
        if mob:
            # "residents attacked two suspected thieves": civilians, not an organised armed
            # group, whose violence ACLED calls mob violence (Attack needs an armed actor)
            return RIOTS, "Mob violence"
        # an international mission's troops are armed too ("attacked AMISOM troops")
        peacekeepers = facts.actor2_sector == "IGO" and self._has(facts, "peacekeepers")
        if (
            facts.actor2_sector in ARMED_SECTORS
            or peacekeepers
            or (facts.actor2_sector is None and self._has(facts, "battle"))
        ):
            return BATTLES, "Armed clash"
        return CIVILIANS, "Attack"

    def _at_protest(self, facts: AcledFacts) -> bool:
        """Whether the sentence names protesters or a protest."""
        return self._has(facts, "protesters") or self._has(facts, "protest_scene")

    def _criminal(self, facts: AcledFacts) -> bool:
        """Arrests or seizures over crime ("robbing a bank", "cocaine") by anyone but the
        parties of an armed conflict, and violence for gain by unnamed or criminal attackers
        ("stabbed to death during a robbery"); not a mob's violence against suspected
        thieves, which ACLED codes."""
        if not self._has(facts, "crime"):
            return False
        kind = facts.coding.plover_type
        if kind == "COERCE":
            return facts.actor1_sector not in ("REB", "IMG", "INS", "MIL", "SPY")
        return (
            kind == "ASSAULT"
            and facts.actor1_sector in (None, "UAF", "CRM")
            and not self._has(facts, "mob")
        )

    def _disrupted(self, facts: AcledFacts) -> bool:
        """Weapons defused, intercepted, or seized by the state or by no one named
        ("soldiers recovered a cache of arms", which PLOVER may read as a seizure or as
        disarming; "police carried out a controlled explosion of the device", a seizure by
        its CAMEO code)."""
        seized = self._has(facts, "seizure") or facts.coding.plover_mode == "seize"
        # weapons "were recovered" without saying by whom: by the authorities
        seizer = facts.actor1_sector is None or facts.actor1_sector in STATE_SECTORS
        return self._has(facts, "weapons") and (
            self._has(facts, "disrupted") or (seized and seizer)
        )

    def _strategic(self, facts: AcledFacts) -> tuple[str | None, str | None]:
        c = facts.coding
        kind, mode = c.plover_type, c.plover_mode
        if kind == "COERCE" and mode == "arrest":
            if facts.actor1_sector == "JUD":
                return None, None  # "the court sentenced the former minister": a trial
            # protesters arrested, or people arrested at a protest ("teachers demonstrating
            # near the secretariat ... union leaders were detained"); not activists of a party
            # arrested ahead of a rally, which ACLED codes as arrests
            protesters = facts.actor2_sector == "CVL" and self._has(facts, "protesters")
            arrested_at_protest = (
                facts.actor2_sector in DEMONSTRATOR_SECTORS - {"OPP"} | {"CVL"}
                and self._has(facts, "protest_scene")
                and not self._has(facts, "before_protest")
            )
            if protesters or arrested_at_protest:
                return PROTESTS, "Protest with intervention"
            return STRATEGIC, "Arrests"
        if kind in ("COERCE", "RETREAT") and self._disrupted(facts):
            return STRATEGIC, "Disrupted weapons use"
        if kind == "COERCE":
            if facts.actor1_sector in (None, "CVL") and self._has(facts, "protesters"):
                return RIOTS, "Violent demonstration"  # "demonstrators ransacked the offices"
            if mode == "seize" or self._has(facts, "looting"):
                return STRATEGIC, "Looting/property destruction"
            if facts.actor1_sector in STATE_SECTORS and self._has(facts, "protest_scene"):
                return PROTESTS, "Protest with intervention"  # "police evicted a protest camp"
            return STRATEGIC, "Other"  # curfews, martial law, bans, deportations
        if kind == "SANCTION" and self._has(facts, "communications"):
            return STRATEGIC, "Other"  # "mobile internet services were suspended"
        if kind == "MOBILIZE":
            if self._has(facts, "base") and self._has(facts, "establish"):
                return STRATEGIC, "Headquarters or base established"
            return STRATEGIC, "Change to group/activity"
        if kind == "RETREAT":
            if self._has(facts, "unilateral"):
                return STRATEGIC, "Change to group/activity"  # a ceasefire no one agreed to
            place = self._has(facts, "territory") or facts.local_place
            if c.cameo_code == "0874" and self._has(facts, "handover") and place:
                # "the district governor surrendered after elders brokered the handover"
                return STRATEGIC, "Non-violent transfer of territory"
            if mode == "ceasefire" or self._has(facts, "settlement"):
                return STRATEGIC, "Agreement"  # a truce, a surrender, a withdrawal under a deal
            if mode == "withdraw" and (self._has(facts, "territory") or facts.local_place):
                return STRATEGIC, "Non-violent transfer of territory"
            if mode in ("withdraw", "disarm"):
                return STRATEGIC, "Change to group/activity"
            if mode == "release":
                return STRATEGIC, "Agreement"  # prisoner exchanges and releases
            return None, None
        if kind in ("AGREE", "SUPPORT", "COOPERATE") and c.cameo_code.startswith("057"):
            return STRATEGIC, "Agreement"  # a signed agreement
        if kind == "AGREE" and self._has(facts, "settlement"):
            return STRATEGIC, "Agreement"  # "agreed to a ceasefire", "to exchange prisoners"
        armed_party = {facts.actor1_sector, facts.actor2_sector} & NON_STATE_ARMED
        if kind == "AGREE" and armed_party and self._has(facts, "agreed"):
            return STRATEGIC, "Agreement"  # "the rebels and the government agreed to hold talks"
        if kind == "COOPERATE" and self._has(facts, "base") and self._has(facts, "establish"):
            return STRATEGIC, "Headquarters or base established"
        if kind == "COOPERATE" and self._has(facts, "group_change"):
            return STRATEGIC, "Change to group/activity"
        return None, None


# How far after a protest's sentence an event can still be what happened at it
PROTEST_SPAN = 3
PEACEFUL = "Peaceful protest"
INTERVENTION = "Protest with intervention"
EXCESSIVE = "Excessive force against protesters"
VIOLENT_DEMONSTRATION = "Violent demonstration"


def settle_protests(events: Sequence[Event], sentences: Sequence[int]) -> list[Event]:
    """One article's events (``sentences``: each one's sentence index), with what happened
    at a peaceful protest folded into it, as ACLED codes it (Codebook 2023, Protests and
    Riots): demonstrators turning violent make it a violent demonstration; state forces
    using lethal force (a shooting, deaths) against it, excessive force; other force or
    arrests, a protest with intervention. What happened at it is an event of the same day and
    place (or of no place or date of its own) in the protest's sentence or the next
    ``PROTEST_SPAN``, against no armed actor. The event that stands for both keeps an ACLED
    type, which ACLED gives the actor who acts (the rioters, the forces that fired; the
    protesters met by intervention); the other keeps its PLOVER coding, without an ACLED
    type."""
    settled = list(events)
    for p, protest in enumerate(events):
        if protest.acled_sub_event_type != PEACEFUL:
            continue
        at_it: list[tuple[str, int]] = []
        for i, event in enumerate(events):
            near = i != p and 0 <= sentences[i] - sentences[p] <= PROTEST_SPAN
            outcome = _outcome(event) if near and _same_occasion(protest, event) else None
            if outcome is not None:
                at_it.append((outcome, i))
        if not at_it:
            continue
        kind, i = min(at_it, key=lambda outcome: _PRECEDENCE.index(outcome[0]))
        keep, drop = (p, i) if kind == INTERVENTION else (i, p)
        event_type = RIOTS if kind == VIOLENT_DEMONSTRATION else PROTESTS
        settled[keep] = replace(
            settled[keep], acled_event_type=event_type, acled_sub_event_type=kind
        )
        settled[drop] = replace(settled[drop], acled_event_type=None, acled_sub_event_type=None)
    return settled


_PRECEDENCE = (VIOLENT_DEMONSTRATION, EXCESSIVE, INTERVENTION)


def _outcome(event: Event) -> str | None:
    """What an event does to a protest it happens at, if anything."""
    if event.acled_event_type == RIOTS and event.actor1_sector not in STATE_SECTORS:
        return VIOLENT_DEMONSTRATION
    if event.acled_sub_event_type in (INTERVENTION, EXCESSIVE):
        return event.acled_sub_event_type
    if event.actor1_sector not in STATE_SECTORS or event.modality != "asserted":
        return None
    if event.actor2_sector in ARMED_SECTORS and event.actor2_name != event.actor1_name:
        return None  # a fight with an armed group, not force against demonstrators
    if event.plover_type == "ASSAULT":
        lethal = bool(event.fatalities) or event.plover_mode == "firearms"
        return EXCESSIVE if lethal else INTERVENTION
    if event.plover_type == "COERCE" and event.plover_mode == "arrest":
        return INTERVENTION
    return None


def _same_occasion(protest: Event, event: Event) -> bool:
    # an event dated only by its article ("report") names no day of its own
    same_day = event.time_precision in (None, "report") or event.event_date == protest.event_date
    same_place = (
        event.location_name is None
        or event.location_name == protest.location_name
        or event.geo_precision == COUNTRY
    )
    return same_day and same_place
