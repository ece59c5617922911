using System.Globalization;
using System.Text;

namespace GraphRec.Data;

/// <summary>Thrown by a line handler to say what is wrong with the line; <see cref="LineReader"/> adds file and line.</summary>
internal sealed class LineFormatException(string problem) : Exception(problem);

/// <summary>
/// Streams the lines of a dataset file to a handler, numbering them from 1, and turns malformed lines into a
/// <see cref="DatasetFormatException"/> (strict) or counts them (lenient). Blank lines are skipped; CRLF and LF both
/// work; a byte-order mark at the start is skipped. A line longer than <see cref="MaxLineLength"/> characters ends the
/// read with an error instead of being buffered whole (a corrupt or hostile file can be one endless line).
/// </summary>
internal sealed class LineReader
{
    /// <summary>How many malformed lines are kept as examples.</summary>
    public const int ExamplesKept = 5;

    /// <summary>
    /// The longest line read, in characters (4 Mi). The longest real lines are edge-list users with thousands of
    /// items, tens of kilobytes; a MovieLens line is under 1 KB.
    /// </summary>
    public const int MaxLineLength = 1 << 22;

    private const string Utf8MarkAsLatin1 = "\u00EF\u00BB\u00BF";
    private readonly bool _lenient;
    private readonly List<string> _examples = [];

    public LineReader(bool lenient) => _lenient = lenient;

    public long LinesRead { get; private set; }

    public long MalformedSkipped { get; private set; }

    public IReadOnlyList<string> MalformedExamples => _examples;

    /// <summary>
    /// Reads every line of <paramref name="stream"/>. When <paramref name="header"/> is given, the first line must be
    /// that header (compared without case and surrounding blanks) and is skipped: a file whose first line is data
    /// would otherwise lose that line silently.
    /// </summary>
    public async Task ReadAsync(
        Stream stream, Encoding encoding, string displayPath, string? header, Action<string> handle, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var lines = new BoundedLines(reader, MaxLineLength);
        long lineNumber = 0;
        bool sawContent = false;
        while (true)
        {
            string? line;
            try
            {
                line = await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException exception)
            {
                throw new DatasetFormatException(displayPath,
                    string.Create(CultureInfo.InvariantCulture, $"not valid {encoding.WebName} text after line {lineNumber} (wrong encoding?)"), exception);
            }
            catch (InvalidDataException exception)
            {
                throw new DatasetFormatException(displayPath, $"the archive entry is corrupt or truncated ({exception.Message})", exception);
            }
            catch (LineTooLongException)
            {
                throw new DatasetFormatException(displayPath, lineNumber + 1, lines.Pending(InputText.LineLength),
                    string.Create(CultureInfo.InvariantCulture, $"the line is longer than {MaxLineLength:N0} characters: not a dataset file of this format"));
            }

            if (line is null)
            {
                break;
            }

            lineNumber++;
            if (lineNumber == 1)
            {
                line = WithoutByteOrderMark(line);
            }

            if (line.Contains('\0', StringComparison.Ordinal))
            {
                throw new DatasetFormatException(displayPath, lineNumber, line.Replace("\0", string.Empty, StringComparison.Ordinal),
                    "contains NUL characters: the file is not in the expected text encoding (UTF-16?)");
            }

            if (header is not null && lineNumber == 1)
            {
                if (!string.Equals(line.Trim(), header, StringComparison.OrdinalIgnoreCase))
                {
                    throw new DatasetFormatException(displayPath, lineNumber, line, $"expected the header line '{header}'");
                }

                sawContent = true;
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            sawContent = true;
            LinesRead++;
            try
            {
                handle(line);
            }
            catch (LineFormatException exception)
            {
                if (!_lenient)
                {
                    throw new DatasetFormatException(displayPath, lineNumber, line, exception.Message);
                }

                MalformedSkipped++;
                if (_examples.Count < ExamplesKept)
                {
                    _examples.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{InputText.Printable(displayPath, InputText.LineLength)}:{lineNumber}: {exception.Message}: {InputText.Printable(line, InputText.LineLength)}"));
                }
            }
        }

        if (!sawContent)
        {
            throw new DatasetFormatException(displayPath, "the file is empty");
        }
    }

    /// <summary>
    /// The first line without a byte-order mark: U+FEFF as decoded from UTF-8, or the three characters a UTF-8 mark
    /// becomes when the file is read as Latin-1 (ML-100K and ML-1M are Latin-1, and an editor may have saved one with a mark).
    /// </summary>
    private static string WithoutByteOrderMark(string line) =>
        line.StartsWith('\uFEFF') ? line[1..]
        : line.StartsWith(Utf8MarkAsLatin1, StringComparison.Ordinal) ? line[Utf8MarkAsLatin1.Length..]
        : line;

    /// <summary>Splits <paramref name="line"/> at <paramref name="separator"/> into exactly <paramref name="fields"/>.Length fields.</summary>
    public static void Split(string line, string separator, Span<Range> fields)
    {
        Span<Range> buffer = stackalloc Range[fields.Length + 1];
        int count = line.AsSpan().Split(buffer, separator);
        if (count != fields.Length)
        {
            throw new LineFormatException(string.Create(CultureInfo.InvariantCulture,
                $"expected {fields.Length} fields separated by '{separator.Replace("\t", "\\t", StringComparison.Ordinal)}', found {(count > fields.Length ? "more" : count.ToString(CultureInfo.InvariantCulture))}"));
        }

        buffer[..count].CopyTo(fields);
    }

    public static long ParseId(ReadOnlySpan<char> field, string what) =>
        long.TryParse(field.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= 0
            ? value
            : throw new LineFormatException($"{what} {InputText.Quote(field)} is not a non-negative integer");

    public static float ParseRating(ReadOnlySpan<char> field, float minimum, float maximum)
    {
        if (!float.TryParse(field.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || float.IsNaN(value))
        {
            throw new LineFormatException($"rating {InputText.Quote(field)} is not a number");
        }

        return value >= minimum && value <= maximum
            ? value
            : throw new LineFormatException(string.Create(CultureInfo.InvariantCulture, $"rating {value} is outside {minimum}..{maximum}"));
    }

    public static long ParseTimestamp(ReadOnlySpan<char> field) =>
        long.TryParse(field.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= 0
            ? value
            : throw new LineFormatException($"timestamp {InputText.Quote(field)} is not a non-negative integer of seconds");

    /// <summary>A line longer than the reader's limit.</summary>
    private sealed class LineTooLongException : Exception;

    /// <summary>
    /// Lines of a <see cref="StreamReader"/> split at LF (a CR before it dropped), from a buffer that grows up to the
    /// limit and no further. <see cref="StreamReader.ReadLineAsync(CancellationToken)"/> has no limit: it would buffer a
    /// gigabyte-long line whole before the caller could look at it.
    /// </summary>
    private sealed class BoundedLines(StreamReader reader, int maximumLength)
    {
        private char[] _buffer = new char[1 << 16];
        private int _start;
        private int _end;
        private bool _ended;

        /// <summary>The next line, or null at the end.</summary>
        /// <exception cref="LineTooLongException">The line is longer than the limit.</exception>
        public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            int scanned = 0;
            while (true)
            {
                int newline = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf('\n');
                if (newline >= 0)
                {
                    int end = _start + scanned + newline;
                    string line = Text(_start, end);
                    _start = end + 1;
                    return line;
                }

                scanned = _end - _start;
                if (_ended)
                {
                    if (scanned == 0)
                    {
                        return null;
                    }

                    string last = Text(_start, _end);
                    _start = _end;
                    return last;
                }

                if (scanned > maximumLength)
                {
                    throw new LineTooLongException();
                }

                if (_start > 0)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, scanned);
                    (_start, _end) = (0, scanned);
                }

                if (_end == _buffer.Length)
                {
                    Array.Resize(ref _buffer, (int)Math.Min(2L * _buffer.Length, maximumLength + 2L));
                }

                int read = await reader.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
                _ended = read == 0;
                _end += read;
            }
        }

        /// <summary>The start of the unfinished line, for a message.</summary>
        public string Pending(int length) => new(_buffer, _start, Math.Min(length, _end - _start));

        private string Text(int start, int end) =>
            end > start && _buffer[end - 1] == '\r' ? new string(_buffer, start, end - start - 1) : new string(_buffer, start, end - start);
    }
}
