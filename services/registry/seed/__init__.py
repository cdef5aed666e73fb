"""Reference data for the registry, as bulk-import items: seeding is itself event-sourced.

- ``reference``: Bắc Kạn's official structure (province 06, 8 districts, 108 communes) read
  from the CSVs in ``data/`` (sources cited in ``data/README.md``);
- ``villages``: 1,292 villages with clearly synthetic names, spread deterministically over
  the communes;
- ``structure``: the items that register all of it, province -> districts -> communes ->
  villages, valid from 2020-02-01;
- ``merge_2025``: the items that replay the 2025-07-01 reorganisation (docs/adr/0005).

- ``demo_assets`` (with ``demo_radio``, ``demo_network``, ``demo_support``): the 2022 demo
  dataset (stations, clusters, base stations, fibre, teams, postal points, video endpoints,
  information systems) reproducing the seeds' figures, for ``tinhso seed --demo``.

Nothing here touches a database; ``tinhso seed`` imports the items.
"""
