"""feedun: a command-line arrears toolkit for Chinese property-management companies."""

import os

__version__ = "0.1.0"

# Arrow's memory pool, chosen before pyarrow is first used (its C++ side reads this variable once, on first
# allocation). Its default here, mimalloc, spends a third of a large import in the kernel on this kind of
# machine (page faults as it returns and re-takes memory): importing a 960k-row ledger took 47.3 s with it,
# 39.4 s with jemalloc and 34.7 s with the system allocator, at the same peak memory (benchmarks/README.md,
# "Arrow's memory pool"). A value the user set is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
