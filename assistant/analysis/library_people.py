"""People across articles: one person per name, the descriptions as evidence, and the doubts shown.

Each article's people (:mod:`assistant.analysis.people`) are merged by name:

* the same first name and surname ("John Kirby" in two articles): one person; if both articles
  describe them and the descriptions share no word, the merge is marked unsure;
* a surname alone ("Kirby, the NSC coordinator") joins the one full-named person of that surname
  whose description shares a word with it; with no description to compare and one candidate, it
  joins that one, marked unsure; when descriptions conflict ("Smith, a teacher" against "John
  Smith, the senator") it is never merged: only the surname matches;
* different first names are different people; people the articles do not name ("a senior
  official") are never merged across articles.

Every decision is kept in words on the person (:attr:`Person.merges`), and :attr:`Person.unsure`
says whether any was a guess.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.analysis.people import description_terms, name_words
from index.quotes import Quote

#: (article ID, person number in that article): one article's person.
Member = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone quoted in the library: their name, how the articles describe them, how sure the merge is."""

    #: Stable within a library: the name's words, lowercased and joined by "-" (a suffix if taken).
    id: str
    name: str
    descriptions: tuple[str, ...]
    #: The articles' people merged into this one.
    members: tuple[Member, ...]
    quotes: int
    #: Whether the articles name this person (else ``name`` is how an article describes them).
    named: bool = True
    #: Whether any merge into this person (or a merge left undone) was a guess.
    unsure: bool = False
    #: How the merging decided, in words ("'Kirby' (a1b2…) joined: descriptions share 'coordin'").
    merges: tuple[str, ...] = ()

    @property
    def articles(self) -> tuple[str, ...]:
        """The IDs of the articles that quote this person, in order of first appearance."""
        return tuple(dict.fromkeys(a for a, _ in self.members))


@dataclass(slots=True)
class _Cluster:
    name: str
    named: bool
    members: list[Member] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    quotes: int = 0
    unsure: bool = False
    merges: list[str] = field(default_factory=list)

    def add(self, member: Member, description: str | None, count: int) -> None:
        self.members.append(member)
        # An unnamed speaker's description is its name ("a senior official"): nothing to add.
        if description and description != self.name and description not in self.descriptions:
            self.descriptions.append(description)
        self.quotes += count


@dataclass(frozen=True, slots=True)
class _Local:
    member: Member
    name: str
    description: str | None
    named: bool
    count: int


def merge_people(quotes: Iterable[Quote]) -> tuple[list[Person], dict[Member, str]]:
    """The library's people from every stored quote, most quoted first, and each article person's
    library person ID."""
    local = _locals(quotes)
    clusters: list[_Cluster] = []
    full: dict[tuple[str, str], _Cluster] = {}
    by_surname: dict[str, list[_Cluster]] = defaultdict(list)
    alone: list[_Local] = []
    for person in local:
        words = [w.lower() for w in name_words(person.name)]
        if not person.named or not words:
            clusters.append(_Cluster(person.name, False))
            clusters[-1].add(person.member, person.description, person.count)
        elif len(words) == 1:
            alone.append(person)
        else:
            key = (words[0], words[-1])
            cluster = full.get(key)
            if cluster is None:
                cluster = full[key] = _Cluster(person.name, True)
                clusters.append(cluster)
                by_surname[words[-1]].append(cluster)
            elif person.description and cluster.descriptions and not _shares(person.description, cluster):
                cluster.unsure = True
                cluster.merges.append(
                    f"{person.name!r} ({person.member[0]}) joined by full name, though the descriptions "
                    f"differ ({person.description!r})"
                )
            cluster.add(person.member, person.description, person.count)
    for person in alone:
        _place_surname(person, by_surname, clusters)
    return _people(clusters)


def _locals(quotes: Iterable[Quote]) -> list[_Local]:
    """Each article's people, with their quote counts, in the order the quotes come."""
    found: dict[Member, _Local] = {}
    for quote in quotes:
        member = (quote.article_id, quote.person)
        seen = found.get(member)
        named = quote.speaker != quote.description or quote.description is None
        count = seen.count + 1 if seen else 1
        found[member] = _Local(member, quote.speaker, quote.description, named, count)
    return list(found.values())


def _place_surname(person: _Local, by_surname: dict[str, list[_Cluster]], clusters: list[_Cluster]) -> None:
    """A surname alone joins the person it describes the same way, else stays apart (saying why)."""
    surname = name_words(person.name)[0].lower()
    candidates = by_surname[surname]
    sharing = [c for c in candidates if person.description and _shares(person.description, c)]
    unknown = [c for c in candidates if not person.description or not c.descriptions]
    label = f"{person.name!r} ({person.member[0]})"
    if len(sharing) == 1:
        chosen, sure, why = sharing[0], True, "the descriptions agree"
    elif not sharing and len(candidates) == 1 and unknown:
        chosen, sure, why = candidates[0], False, "only the surname matches; no description to compare"
    else:
        chosen = None
    if chosen is not None:
        chosen.add(person.member, person.description, person.count)
        chosen.unsure |= not sure
        chosen.merges.append(f"{label} joined {chosen.name!r}: {why}")
        return
    cluster = _Cluster(person.name, True)
    cluster.add(person.member, person.description, person.count)
    if candidates:
        others = ", ".join(repr(c.name) for c in candidates)
        cluster.unsure = bool(unknown) or len(sharing) > 1
        cluster.merges.append(f"{label} not merged with {others}: only the surname matches and "
                              + ("the descriptions differ" if not sharing else "more than one fits"))
    clusters.append(cluster)
    by_surname[surname].append(cluster)


def _shares(description: str, cluster: _Cluster) -> bool:
    mine = description_terms(description)
    return any(mine & description_terms(d) for d in cluster.descriptions)


def _people(clusters: Sequence[_Cluster]) -> tuple[list[Person], dict[Member, str]]:
    ordered = sorted(clusters, key=lambda c: (-c.quotes, c.name.lower()))
    taken: dict[str, int] = {}
    people, ids = [], {}
    for cluster in ordered:
        base = re.sub(r"[^a-z0-9]+", "-", cluster.name.lower()).strip("-") or "person"
        taken[base] = taken.get(base, 0) + 1
        person_id = base if taken[base] == 1 else f"{base}-{taken[base]}"
        people.append(Person(
            person_id, cluster.name, tuple(cluster.descriptions), tuple(cluster.members), cluster.quotes,
            cluster.named, cluster.unsure, tuple(cluster.merges),
        ))
        ids.update({member: person_id for member in cluster.members})
    return people, ids
