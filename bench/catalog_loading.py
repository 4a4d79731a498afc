"""A microbenchmark for issue 14: what reading every built-in gettext domain (.pot and .po files,
with Babel) costs when a gateway starts, parsed afresh and again from the per-process cache that
a test run's hundreds of gateways share. Run on purpose:

    python -m bench.catalog_loading [--rounds N]
"""

import argparse
import time
from pathlib import Path

from gateway.conversation import translations
from gateway.conversation.catalog import Catalog
from gateway.conversation.translations import TranslationDomain, read_domain

REPO = Path(__file__).resolve().parents[1]


def _built_in_domains() -> list[TranslationDomain]:
    templates = [*REPO.glob("gateway/**/locale/*.pot"), *REPO.glob("plugins/*/locale/*.pot")]
    return [TranslationDomain(template.stem, template.parent) for template in sorted(templates)]


def _load(domains: list[TranslationDomain]) -> tuple[Catalog, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    catalog = Catalog()
    for domain in domains:
        catalog.add(read_domain(domain))
    return catalog, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    domains = _built_in_domains()
    catalog, first_wall, first_cpu = _load(domains)
    files = sum(1 + len(list(domain.folder.glob(f"*/LC_MESSAGES/{domain.name}.po"))) for domain in domains)
    print(f"{len(domains)} domains, {files} files, {len(catalog.keys())} keys")
    print(f"first read in this process: {first_wall:.1f} ms ({first_cpu:.1f} ms CPU)")
    parsed = []
    for _ in range(rounds):
        translations._parsed.cache_clear()
        parsed.append(_load(domains)[2])
    cached = [_load(domains)[2] for _ in range(rounds)]
    print(f"parsed afresh: median {sorted(parsed)[rounds // 2]:.1f} ms CPU; "
          f"from the cache: median {sorted(cached)[rounds // 2]:.2f} ms CPU ({rounds} rounds each)")


if __name__ == "__main__":
    main()
