"""A generated library of many short articles, stored through the real write path.

Each article is two sentences about a made-up town: its title, source link and
date vary, so the library's search over titles, sources and dates has something
to find. Built with :meth:`Assistant.add_many` (real splitting, the real bundled
embedder, real Chroma), so the page reads the listing exactly as it would for
articles a user added.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from index.models import RawArticle

_TOWNS = ("Ashford", "Brookvale", "Carrow", "Dunmere", "Eastwick", "Fallon", "Greyhaven", "Harlow",
          "Ivybridge", "Juniper", "Kestrel", "Lindow", "Marlow", "Northam", "Oakridge", "Penrith")
_TOPICS = ("budget", "library", "bridge", "school", "harbour", "market", "railway", "hospital",
           "park", "museum", "festival", "council")
_SITES = ("example.com", "news.example.org", "daily.example.net", "herald.example")
_PEOPLE = ("Maria Lopez", "Tom Becker", "Aisha Khan", "Li Wei", "Sara Novak", "Omar Haddad")
_ROLES = ("mayor", "council leader", "treasurer", "head teacher", "director")


def generated(n: int, seed: int = 7) -> Iterator[RawArticle]:
    """``n`` distinct short articles; article ``i`` is dated so that a higher ``i`` is newer."""
    rng = random.Random(seed)
    for i in range(n):
        town, topic = _TOWNS[i % len(_TOWNS)], _TOPICS[(i // len(_TOWNS)) % len(_TOPICS)]
        person, role = rng.choice(_PEOPLE), rng.choice(_ROLES)
        day = 1 + i // 16  # 16 articles a day, from 2020-01-01 on
        date = time.strftime("%Y-%m-%d", time.gmtime(1577836800 + day * 86400))
        site = _SITES[i % len(_SITES)]
        text = (
            f"The {town} {topic} plan number {i} was approved on Tuesday after a long debate. "
            f"{person}, the {role}, said it would cost {1000 + i} pounds and open next year."
        )
        yield RawArticle(
            text=text, source=f"https://{site}/{town.lower()}/{topic}-{i}",
            title=f"{town} {topic} plan {i} approved", date=date,
            url=f"https://{site}/{town.lower()}/{topic}-{i}",
        )


def build(data_dir: Path, n: int) -> float:
    """Store ``n`` generated articles in the store at ``data_dir``; returns the seconds it took."""
    from assistant.api import Assistant
    from assistant.settings import Settings

    t0 = time.perf_counter()
    assistant = Assistant(Settings(data_dir=data_dir))
    assistant.add_many(generated(n))
    assistant.summaries()  # saves the listing beside the store
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(f"{build(Path(sys.argv[1]), int(sys.argv[2])):.1f} s")
