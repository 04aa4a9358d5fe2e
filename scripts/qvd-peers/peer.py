#!/usr/bin/env python3
"""Reads and writes QVD files with independent implementations ("peers"), so
that QlikConnector's own QVD reader/writer can be checked against them.

Run it with the interpreter of the venv that setup.sh creates:

    peer.py dump  LIB FILE [--limit N]     table as JSON on stdout
    peer.py write LIB OUT.qvd SPEC.json    write a table from a JSON spec
    peer.py bench LIB read FILE            time a full read
    peer.py bench LIB write OUT ROWS       time writing the benchmark table

LIB is `pyqvd` (pyqvd 2.3.2, pure Python) or `qvdrs` (qvdrs 0.7.1, Rust; its
Python module is called `qvd`).

Exit codes: 0 ok; 1 the library rejected the file or failed (message on
stderr); 2 bad arguments or spec.

bench prints {"rows": n, "seconds": s, "peak_rss_mib": m}. `read` times
loading the whole file into the library's table (pyqvd: QvdFileReader.read,
value objects per cell; qvdrs: read_qvd, without the Arrow conversion).
`write` generates ROWS rows first (untimed; deterministic) and times only
the write. Columns: id (unique int), int50 (50 distinct ints), double1m
(min(ROWS, 1e6) distinct non-whole doubles), str1k (1,000 distinct short
strings), str60_100k (min(ROWS, 1e5) distinct 60-character strings),
date3650 (3,650 distinct dates from 2015-01-01: pyqvd DateValue, qvdrs Arrow
date32), double_nulls and str_nulls (5% NULLs). peak_rss_mib is the
process's peak (ru_maxrss), generation included.

JSON table: {"table": name-or-null, "fields": [name, ...],
             "rows": [[cell, ...], ...]}
A cell is null (QVD NULL) or {"text": str-or-null, "number": num-or-null}:

    {"text": null, "number": 3}      integer            (QVD symbol type 1)
    {"text": null, "number": 3.5}    double             (type 2)
    {"text": "abc", "number": null}  string             (type 4)
    {"text": "3", "number": 3}       dual int           (type 5)
    {"text": "3.50", "number": 3.5}  dual double        (type 6)

A JSON number written with ".", "e" or "E" is a double, otherwise an integer
(Python's json module keeps that distinction: 2.0 is printed as 2.0). Doubles
that JSON cannot carry are written as the strings "NaN", "Infinity" and
"-Infinity" (what Swift's JSONDecoder accepts with
.convertFromString(positiveInfinity: "Infinity", negativeInfinity:
"-Infinity", nan: "NaN")), and read back the same way in a spec.

How each library's values map onto cells (`dump`)
------------------------------------------------
pyqvd keeps every symbol's kind, so its mapping is exact:
    IntegerValue                  -> {"text": null, "number": int}
    DoubleValue                   -> {"text": null, "number": float}
    StringValue                   -> {"text": str,  "number": null}
    DualIntegerValue              -> {"text": str,  "number": int}
      (DateValue when the field's NumberFormat Type is DATE, MoneyValue when
       MONEY: both are dual ints in the file and dumped as such)
    DualDoubleValue               -> {"text": str,  "number": float}
      (TimeValue, TimestampValue, IntervalValue, MoneyValue by NumberFormat)
    None (symbol index < 0)       -> null
  pyqvd's QvdTable has no table name: it is taken from the reader's parsed
  header (QvdFileReader._header.table_name, a private attribute).

qvdrs does not expose a symbol's kind to Python. It offers two views of each
cell and peer.py reports both, unchanged:
  * "text" = the library's string view (QvdTable.column_values): the stored
    text for strings and duals; for plain ints and doubles, Rust's Display
    formatting of the number (1 -> "1", 2.0 -> "2", 0.1 -> "0.1",
    1e21 -> "1000000000000000000000"). It is never null for a non-NULL cell,
    so qvdrs cannot tell an int 3 from a dual (3, "3").
  * "number" = the typed Arrow view (QvdTable.to_arrow), whose type qvdrs
    infers per field from NumberFormat, Tags and symbol kinds:
      int64      -> int (fields whose symbols are all ints or dual ints)
      float64    -> float (other numeric fields; in a field tagged $numeric
                    that also holds strings, a string that parses as f64
                    gets that number too)
      date32     -> int, the Qlik day number (days since 1899-12-30), which is
                    how the file stores it; fractions of a day are dropped by
                    qvdrs
      timestamp  -> float, Qlik day number with fraction, recomputed from
                    qvdrs's microseconds (micros / 86400e6 + 25569)
      string     -> null (fields with any text symbol, ASCII number format or
                    $text tag: numbers in such fields are only seen as text)
    A value the typed view cannot convert (e.g. a text in a DATE field) has
    number null but keeps its text.
  * NULL: both views give None. qvdrs treats every index < 0 and every index
    >= NoOfSymbols as NULL.

How `write` maps cells onto each library (warnings go to stderr)
--------------------------------------------------------------
pyqvd expresses every kind: IntegerValue, DoubleValue, StringValue,
DualIntegerValue, DualDoubleValue, None. A field whose cells are all duals
(Qlik day number, "YYYY-MM-DD" of that day) is written with DateValue, i.e.
dual int with a DATE NumberFormat, as Qlik writes dates. Limits:
  * ints outside int32 cannot be stored as type 1/5 (pyqvd raises): they are
    written as double / dual double, with a warning.
  * pyqvd de-duplicates a field's symbols by numeric value (QvdValue equality
    and hash use the calculation value), so int 1, double 1.0 and dual
    (1, "one") in one field become one symbol: whichever comes first. Such
    collisions are reported as warnings; the file holds the first one.
  * NaN never equals itself, so every NaN row gets a symbol of its own.
  * NULLs: Bias -2, index 0 for NULL and symbol index + 2 otherwise (Qlik's
    convention). A field without NULLs and with a single symbol still gets
    BitWidth 1 (Qlik writes 0); an all-NULL field gets NumberFormat TIME.
  * a table without rows cannot be written (pyqvd fails: exit 1).
qvdrs writes only from Arrow columns, which have one type per field:
  * all ints         -> int64: type 1 (type 2 double outside int32, warned)
  * ints and doubles -> float64: type 2; but qvdrs stores every whole-valued
                        double (2.0) as an int symbol (type 1), warned
  * all strings      -> string: type 4
  * all duals        -> date32 when every dual is (Qlik day number,
                        "YYYY-MM-DD" of that day): qvdrs writes them as dual
                        double (type 6) "YYYY-MM-DD" with a DATE format
                        (Qlik writes dual int, type 5); any other duals: no
                        dual is expressible, the number is written (int64 or
                        float64 as above) and the text dropped, warned
  * strings mixed with numbers or duals -> string: numbers become their text
                        (dual: its text; int: decimal; double: Python repr),
                        warned
  * all NULL         -> string column of NULLs
  * NULLs: index = NoOfSymbols with Bias 0 (not Qlik's Bias -2); pyqvd
    cannot read such files (IndexError). A field with one distinct value and
    NULLs gets BitWidth 0, so its NULLs are lost (warned); an all-NULL field
    gets BitWidth 0 and no symbols.
  * a table without rows is written (pyqvd fails on one).
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import resource
import sys
import time

QLIK_EPOCH = dt.date(1899, 12, 30)
UNIX_TO_QLIK_DAYS = 25569  # 1970-01-01 as a Qlik day number
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


class PeerError(Exception):
    """A library rejected a file or could not write it (exit code 1)."""


class SpecError(Exception):
    """The command line or the spec is invalid (exit code 2)."""


def warn(lib, message):
    print(f"peer {lib}: warning: {message}", file=sys.stderr)


# ---------------------------------------------------------------- JSON cells

def json_number(value):
    """A number as JSON can carry it; non-finite doubles become strings."""
    if value is None or isinstance(value, int):
        return value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def cell(text, number):
    return {"text": text, "number": json_number(number)}


def parse_spec_cell(raw, where):
    """A spec cell as (kind, text, number); kind is one of None (NULL),
    "int", "float", "text", "dual"."""
    if raw is None:
        return (None, None, None)
    if not isinstance(raw, dict) or set(raw) - {"text", "number"}:
        raise SpecError(f"{where}: a cell is null or {{\"text\", \"number\"}}, not {raw!r}")
    text = raw.get("text")
    number = raw.get("number")
    if text is not None and not isinstance(text, str):
        raise SpecError(f"{where}: text must be a string or null")
    if isinstance(number, str):
        special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        if number not in special:
            raise SpecError(f"{where}: number {number!r} is not a number")
        number = special[number]
    elif isinstance(number, bool) or (number is not None and not isinstance(number, (int, float))):
        raise SpecError(f"{where}: number must be a JSON number or null")
    if text is None and number is None:
        raise SpecError(f"{where}: a cell with neither text nor number; write null for NULL")
    if number is None:
        return ("text", text, None)
    if text is None:
        return ("int" if isinstance(number, int) else "float", None, number)
    return ("dual", text, number)


def load_spec(path):
    try:
        with open(path, encoding="utf-8") as handle:
            spec = json.load(handle)
    except (OSError, ValueError) as error:
        raise SpecError(f"cannot read spec {path}: {error}") from error
    if not isinstance(spec, dict):
        raise SpecError("spec must be a JSON object")
    name = spec.get("table")
    fields = spec.get("fields")
    rows = spec.get("rows")
    if name is not None and not isinstance(name, str):
        raise SpecError("spec table must be a string or null")
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise SpecError("spec fields must be a list of strings")
    if len(set(fields)) != len(fields):
        raise SpecError("spec field names must be unique")
    if not isinstance(rows, list):
        raise SpecError("spec rows must be a list")
    columns = [[] for _ in fields]
    for r, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(fields):
            raise SpecError(f"row {r}: must be a list of {len(fields)} cells")
        for c, raw in enumerate(row):
            columns[c].append(parse_spec_cell(raw, f"row {r}, field {fields[c]!r}"))
    return name, fields, columns, len(rows)


def print_table(name, fields, rows):
    out = sys.stdout
    out.write('{"table": ' + json.dumps(name, ensure_ascii=False))
    out.write(', "fields": ' + json.dumps(fields, ensure_ascii=False))
    out.write(', "rows": [')
    for i, row in enumerate(rows):
        if i:
            out.write(",")
        out.write("\n" + json.dumps(row, ensure_ascii=False, allow_nan=False))
    out.write("\n]}\n")


# --------------------------------------------------------------------- pyqvd

def pyqvd_read(path):
    """(table name, field names, rows of QvdValue-or-None)."""
    from pyqvd.io.reader import QvdFileReader

    reader = QvdFileReader(path)
    table = reader.read()
    header = getattr(reader, "_header", None)
    name = getattr(header, "table_name", None)
    return name, list(table.columns), table.data


def pyqvd_cell(value):
    from pyqvd.qvd import (DoubleValue, DualDoubleValue, DualIntegerValue,
                           IntegerValue, StringValue)

    if value is None:
        return None
    # Dual subclasses (DateValue, TimeValue, ...) first: they carry the text
    # stored in the file and the number as read from the file.
    if isinstance(value, DualIntegerValue):
        return cell(value._string_value, value._int_value)
    if isinstance(value, DualDoubleValue):
        return cell(value._string_value, value._double_value)
    if isinstance(value, IntegerValue):
        return cell(None, value.calculation_value)
    if isinstance(value, DoubleValue):
        return cell(None, float(value.calculation_value))
    if isinstance(value, StringValue):
        return cell(value.calculation_value, None)
    raise PeerError(f"pyqvd gave a value of unknown kind {type(value).__name__}")


def pyqvd_dump(path, limit):
    name, fields, data = pyqvd_read(path)
    if limit is not None:
        data = data[:limit]
    return name, fields, [[pyqvd_cell(v) for v in row] for row in data]


def pyqvd_value(kind, text, number, where, notes):
    from pyqvd.qvd import (DoubleValue, DualDoubleValue, DualIntegerValue,
                           IntegerValue, StringValue)

    if kind is None:
        return None
    if kind == "text":
        return StringValue(text)
    if kind == "float":
        return DoubleValue(float(number))
    if kind == "int":
        if INT32_MIN <= number <= INT32_MAX:
            return IntegerValue(number)
        notes.add(f"{where}: int {number} is outside int32, written as a double")
        return DoubleValue(float(number))
    if isinstance(number, int):
        if INT32_MIN <= number <= INT32_MAX:
            return DualIntegerValue(number, text)
        notes.add(f"{where}: dual int {number} is outside int32, written as a dual double")
        return DualDoubleValue(float(number), text)
    return DualDoubleValue(float(number), text)


def is_date_column(column, options):
    """True when every non-NULL cell is a dual (Qlik day number, text) whose
    text is what pyqvd's date formatter (YYYY-MM-DD) makes of that day, so
    pyqvd's DateValue writes it unchanged."""
    from pyqvd.qvd import DateValue

    present = [(t, n) for k, t, n in column if k is not None]
    if not present or not all(k in (None, "dual") for k, _, _ in column):
        return False
    for text, number in present:
        if not isinstance(number, int) or iso_date_of(number) != text:
            return False
        if not INT32_MIN <= number <= INT32_MAX:
            return False
        if options.date_formatter.format(DateValue(number, text)) != text:
            return False
    return True


def pyqvd_write(out, name, fields, columns, nrows):
    from pyqvd.io.writer import QvdFileWriter, QvdFileWriterOptions
    from pyqvd.qvd import DateValue, QvdTable

    notes = set()
    options = QvdFileWriterOptions()
    value_columns = []
    for field, column in zip(fields, columns):
        if is_date_column(column, options):
            # Written as Qlik writes dates: dual int with a DATE NumberFormat.
            values = [None if k is None else DateValue(n, t) for k, t, n in column]
        else:
            values = [pyqvd_value(k, t, n, f"field {field!r}", notes) for k, t, n in column]
        # pyqvd keeps the first of the values that are equal by number.
        first = {}
        for (kind, text, number), value in zip(column, values):
            if kind is None or kind == "text" or (isinstance(number, float) and math.isnan(number)):
                continue
            seen = first.setdefault(value, (kind, text, number))
            if seen != (kind, text, number):
                notes.add(f"field {field!r}: pyqvd merges values equal by number: "
                          f"{describe(kind, text, number)} is written as {describe(*seen)}")
        value_columns.append(values)
    for note in sorted(notes):
        warn("pyqvd", note)
    rows = [[col[r] for col in value_columns] for r in range(nrows)]
    if name is None:
        warn("pyqvd", f"no table name given, pyqvd writes {options.table_name!r}")
    else:
        options.table_name = name
    QvdFileWriter(out, QvdTable(rows, list(fields)), options).write()


def describe(kind, text, number):
    if kind == "text":
        return f"string {text!r}"
    if kind == "dual":
        return f"dual ({number!r}, {text!r})"
    return f"{kind} {number!r}"


# --------------------------------------------------------------------- qvdrs

def qvdrs_numbers(array):
    """The numeric view of one Arrow column, as a list (None where null or
    where the column is not numeric)."""
    import pyarrow as pa

    kind = array.type
    if pa.types.is_integer(kind):
        return array.to_pylist()
    if pa.types.is_floating(kind):
        return [None if v is None else float(v) for v in array.to_pylist()]
    if pa.types.is_date32(kind):
        days = array.cast(pa.int32()).to_pylist()
        return [None if d is None else d + UNIX_TO_QLIK_DAYS for d in days]
    if pa.types.is_date64(kind):
        millis = array.cast(pa.int64()).to_pylist()
        return [None if m is None else m // 86_400_000 + UNIX_TO_QLIK_DAYS for m in millis]
    if pa.types.is_timestamp(kind):
        per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
                   "ns": 86_400_000_000_000}[kind.unit]
        ticks = array.cast(pa.int64()).to_pylist()
        return [None if t is None else t / per_day + UNIX_TO_QLIK_DAYS for t in ticks]
    return [None] * len(array)


def qvdrs_dump(path, limit):
    import qvd

    table = qvd.read_qvd(path)
    fields = list(table.columns)
    nrows = table.num_rows if limit is None else min(limit, table.num_rows)
    # Typed view of the whole table (qvdrs infers the types from all of it),
    # then cut to the first rows.
    batch = table.to_arrow().slice(0, nrows)
    columns = []
    for c in range(len(fields)):
        texts = table.column_values(c)[:nrows]
        numbers = qvdrs_numbers(batch.column(c))
        columns.append([None if t is None else cell(t, n) for t, n in zip(texts, numbers)])
    rows = [[col[r] for col in columns] for r in range(nrows)]
    return table.table_name, fields, rows


def iso_date_of(day_number):
    try:
        return (QLIK_EPOCH + dt.timedelta(days=day_number)).isoformat()
    except OverflowError:
        return None


def qvdrs_array(field, column, notes):
    """The Arrow array qvdrs is given for one field, and a note when the
    field's cells cannot all be written as they are."""
    import pyarrow as pa

    kinds = {k for k, _, _ in column if k is not None}
    where = f"field {field!r}"

    def numbers_array(cells):
        values = [None if k is None else n for k, _, n in cells]
        present = [v for v in values if v is not None]
        if all(isinstance(v, int) for v in present):
            if any(not INT32_MIN <= v <= INT32_MAX for v in present):
                notes.add(f"{where}: ints outside int32 are written by qvdrs as doubles")
            if all(-(2 ** 63) <= v < 2 ** 63 for v in present):
                return pa.array(values, type=pa.int64())
        if any(isinstance(v, float) and math.isfinite(v) and v.is_integer() for v in present):
            notes.add(f"{where}: qvdrs writes whole-valued doubles (e.g. 2.0) as int symbols")
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())

    if not kinds:
        return pa.array([None] * len(column), type=pa.string())
    if kinds == {"text"}:
        return pa.array([t for _, t, _ in column], type=pa.string())
    if kinds <= {"int", "float"}:
        return numbers_array(column)
    if kinds == {"dual"}:
        present = [(t, n) for k, t, n in column if k is not None]
        if all(isinstance(n, int) and iso_date_of(n) == t for t, n in present):
            notes.add(f"{where}: date duals are written by qvdrs as dual doubles (type 6), "
                      "not dual ints (type 5)")
            return pa.array([None if k is None else n - UNIX_TO_QLIK_DAYS for k, _, n in column],
                            type=pa.date32())
        notes.add(f"{where}: qvdrs cannot write duals; their numbers are written, texts dropped")
        return numbers_array(column)
    # Strings mixed with numbers (or duals mixed with anything): one Arrow
    # type per column, so everything becomes text.
    notes.add(f"{where}: qvdrs cannot mix strings and numbers in a field; all written as strings")

    def as_text(kind, text, number):
        if kind is None:
            return None
        if text is not None:
            return text
        return str(number) if isinstance(number, int) else repr(float(number))
    return pa.array([as_text(*c) for c in column], type=pa.string())


def qvdrs_write(out, name, fields, columns, nrows):
    import pyarrow as pa
    import qvd

    notes = set()
    arrays = [qvdrs_array(f, col, notes) for f, col in zip(fields, columns)]
    for field, col in zip(fields, columns):
        present = {(k, t, n) for k, t, n in col if k is not None}
        if len(present) == 1 and len(present) < len(col) and any(k is None for k, _, _ in col):
            notes.add(f"field {field!r}: one distinct value and NULLs: qvdrs gives such a "
                      "field BitWidth 0, so its NULLs are lost (they read back as the value)")
    for note in sorted(notes):
        warn("qvdrs", note)
    # A RecordBatch, not a Table: qvdrs rejects a Table without rows.
    batch = pa.RecordBatch.from_arrays(arrays, names=list(fields))
    if name is None:
        warn("qvdrs", "no table name given, qvdrs writes 'table'")
    qvd.write_arrow(batch, out, table_name=name)


# --------------------------------------------------------------------- bench

def peak_rss_mib():
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


BENCH_FIELDS = ["id", "int50", "double1m", "str1k", "str60_100k", "date3650",
                "double_nulls", "str_nulls"]
BENCH_FIRST_DAY = 42005  # 2015-01-01 as a Qlik day number


def bench_columns(nrows, seed=20240601):
    """The benchmark table as plain Python columns (dates as Qlik day
    numbers). Deterministic for a given row count. Columns that need many
    distinct values take row i to (i * P) mod D with P prime to D, so they
    have exactly min(rows, D) distinct values, in scrambled order."""
    rng = random.Random(seed)
    rand = rng.randrange
    coin = rng.random
    rows = range(nrows)
    ids = list(range(1, nrows + 1))
    int50 = [rand(50) for _ in rows]
    # (k + 0.5) / 1000 is never whole, so qvdrs keeps it a double.
    double1m = [((i * 999_983) % 1_000_000 + 0.5) / 1000 for i in rows]
    str1k = [f"cat-{rand(1000):03d}" for _ in rows]
    str60 = []
    for i in rows:
        k = (i * 99_991) % 100_000
        str60.append(f"item-{k:06d}-".ljust(60, "abcdefghijklmnopqrstuvwxyz"[k % 26]))
    dates = [BENCH_FIRST_DAY + rand(3650) for _ in rows]
    double_nulls = [None if coin() < 0.05 else (rand(100_000) + 0.25) / 100 for _ in rows]
    str_nulls = [None if coin() < 0.05 else f"tag-{rand(10_000)}" for _ in rows]
    return [ids, int50, double1m, str1k, str60, dates, double_nulls, str_nulls]


def bench_read(lib, path):
    start = time.perf_counter()
    if lib == "pyqvd":
        from pyqvd.io.reader import QvdFileReader
        nrows = len(QvdFileReader(path).read().data)
    else:
        import qvd
        nrows = qvd.read_qvd(path).num_rows
    seconds = time.perf_counter() - start
    return {"rows": nrows, "seconds": round(seconds, 3), "peak_rss_mib": peak_rss_mib()}


def bench_write(lib, out, nrows):
    cols = bench_columns(nrows)
    if lib == "qvdrs":
        import pyarrow as pa
        import qvd
        types = [pa.int64(), pa.int64(), pa.float64(), pa.string(), pa.string(),
                 pa.date32(), pa.float64(), pa.string()]
        cols[5] = [d - UNIX_TO_QLIK_DAYS for d in cols[5]]
        arrays = [pa.array(c, type=t) for c, t in zip(cols, types)]
        table = pa.Table.from_arrays(arrays, names=BENCH_FIELDS)
        del arrays, cols
        start = time.perf_counter()
        qvd.write_arrow(table, out, table_name="Bench")
        seconds = time.perf_counter() - start
    else:
        from pyqvd.io.writer import QvdFileWriter, QvdFileWriterOptions
        from pyqvd.qvd import (DateValue, DoubleValue, IntegerValue, QvdTable,
                               StringValue)
        makers = [IntegerValue, IntegerValue, DoubleValue, StringValue, StringValue,
                  DateValue.from_serial_number, DoubleValue, StringValue]
        # One value object per distinct value, as a reader would produce.
        columns = []
        for make, col in zip(makers, cols):
            cache = {}
            values = []
            for v in col:
                if v is not None and v not in cache:
                    cache[v] = make(v)
                values.append(None if v is None else cache[v])
            columns.append(values)
        rows = [list(r) for r in zip(*columns)]
        del columns, cols
        table = QvdTable(rows, list(BENCH_FIELDS))
        options = QvdFileWriterOptions()
        options.table_name = "Bench"
        start = time.perf_counter()
        QvdFileWriter(out, table, options).write()
        seconds = time.perf_counter() - start
    return {"rows": nrows, "seconds": round(seconds, 3), "peak_rss_mib": peak_rss_mib()}


# ----------------------------------------------------------------------- CLI

def main(argv):
    parser = argparse.ArgumentParser(prog="peer.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    libs = ("pyqvd", "qvdrs")

    dump = sub.add_parser("dump", help="print a QVD file's table as JSON")
    dump.add_argument("lib", choices=libs)
    dump.add_argument("file")
    dump.add_argument("--limit", type=int, default=None, help="only the first N rows")

    write = sub.add_parser("write", help="write a QVD file from a JSON spec")
    write.add_argument("lib", choices=libs)
    write.add_argument("out")
    write.add_argument("spec")

    bench = sub.add_parser("bench", help="bench LIB read FILE | bench LIB write OUT ROWS")
    bench.add_argument("lib", choices=libs)
    bench.add_argument("action", choices=("read", "write"))
    bench.add_argument("args", nargs="+")

    args = parser.parse_args(argv)
    try:
        if args.command == "dump":
            if args.limit is not None and args.limit < 0:
                raise SpecError("--limit must be >= 0")
            if not os.path.isfile(args.file):
                raise SpecError(f"no such file: {args.file}")
            dumper = pyqvd_dump if args.lib == "pyqvd" else qvdrs_dump
            try:
                name, fields, rows = dumper(args.file, args.limit)
            except (SpecError, PeerError, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # qvdrs panics surface as BaseException
                raise PeerError(f"{args.lib} rejected {args.file}: "
                                f"{type(error).__name__}: {error}") from error
            print_table(name, fields, rows)
        elif args.command == "write":
            name, fields, columns, nrows = load_spec(args.spec)
            writer = pyqvd_write if args.lib == "pyqvd" else qvdrs_write
            try:
                writer(args.out, name, fields, columns, nrows)
            except (SpecError, PeerError, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:
                raise PeerError(f"{args.lib} could not write {args.out}: "
                                f"{type(error).__name__}: {error}") from error
        else:
            if args.action == "read":
                if len(args.args) != 1:
                    raise SpecError("usage: bench LIB read FILE")
                if not os.path.isfile(args.args[0]):
                    raise SpecError(f"no such file: {args.args[0]}")
                run = lambda: bench_read(args.lib, args.args[0])  # noqa: E731
            else:
                if len(args.args) != 2 or not args.args[1].isdigit():
                    raise SpecError("usage: bench LIB write OUT ROWS")
                run = lambda: bench_write(args.lib, args.args[0], int(args.args[1]))  # noqa: E731
            try:
                result = run()
            except (SpecError, PeerError, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:
                raise PeerError(f"{args.lib} failed in bench {args.action} {' '.join(args.args)}: "
                                f"{type(error).__name__}: {error}") from error
            print(json.dumps(result))
    except SpecError as error:
        print(f"peer: {error}", file=sys.stderr)
        return 2
    except PeerError as error:
        print(f"peer: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
