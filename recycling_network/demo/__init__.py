"""Demo data for ``manage.py seed_demo`` (issues "Bare-machine quick start" and "Battery
traceability core").

Everything is created through the services, as the party that would do it in real life
(DESIGN §3: commands never write models), and everything is deterministic: the same
names, codes and history on every machine, so screenshots and walkthroughs match.

- ``data``: fictional partners, places, outlets and people;
- ``calls``: calling services in the acting party's database context;
- ``runtime``: side effects kept in-process, less overhead per call, threads;
- ``lanes``: playing the history in several processes (one per core);
- ``network``: partners, code claims, users, outlets, sharing, staff;
- ``specs``: what each demo battery is (GB/T 34014 code, VIN, mass, energy);
- ``history``: what happens to the batteries over ~300 days, planned without the database;
- ``batteries``: playing that history through the custody services;
- ``logins``: the demo sign-ins printed at the end;
- ``seed``: all of it, in order (what the command runs).
"""
