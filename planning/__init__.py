"""Planning (e-musrenbang → RKPD): proposals from desa, kelurahan, communities and DPRD,
the forums' signed decisions on them, and the links from accepted proposals to the budget
lines that fund them. See docs/planning.md."""
