"""Pure, set-based computation of aggregate cells from answers (DuckDB over pandas, no I/O).

Cells are kept in a long form made of two frames that add up exactly:
- `totals`: one row per cell key with n, sum and sum_sq (integers) and key_sum;
- `options`: one row per cell key and option with its count and key.
Merging two sets of cells is a concatenation followed by a group-by sum, which is why an
incremental fold and a full rebuild give identical cells. Keys (the cell key method,
docs/decisions/0019) are sums of the records' secret keys modulo 2**32: integers, exact in any
order of addition, like the counts they go with.

Only month cells are stored (docs/decisions/0009): a quarter, a year or a rolling 12 months
is the exact sum of its months (`observatory.aggregation.periods`). Breakdowns (theme,
channel, age band, language) are stored from the département up; below that a split cell
would almost never reach a publication threshold, and a team's or an EPCI's few thousand
answers are split on demand (`observatory.aggregation.on_demand`).

The package is a one-way pipeline; each module imports only those above it:

- `columns`: the column names every stage agrees on;
- `duck`: the process's DuckDB connection;
- `frames`: the `Cells` frames and the pandas conversions of stored rows;
- `sql`: answers and stored cells into the accumulator (`acc`);
- `pivot`: the accumulator merged into one row per cell, option counts as JSON;
- `delta`: delta-log rows packed from merged cells, and unpacked into the accumulator;
- `export`: merged rows as CSV files for COPY or tuples, by ranges of months;
- `builder`: `CellBuilder`, which runs them, and the functions built on it.

This file imports nothing: callers import the module that does what they need.
"""
