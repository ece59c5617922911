using System.Globalization;
using System.Text;

namespace GraphRec.Data.Parsing;

/// <summary>Thrown by a line handler to say what is wrong with the line; <see cref="LineReader"/> adds file and line.</summary>
internal sealed class LineFormatException(string problem) : Exception(problem);

/// <summary>
/// Streams the lines of a dataset file to a handler, numbering them from 1, and turns malformed lines into a
/// <see cref="DatasetFormatException"/> (strict) or counts them (lenient). Blank lines are skipped; CRLF and LF both work.
/// </summary>
internal sealed class LineReader
{
    /// <summary>How many malformed lines are kept as examples.</summary>
    public const int ExamplesKept = 5;
    private readonly bool _lenient;
    private readonly List<string> _examples = [];

    public LineReader(bool lenient) => _lenient = lenient;

    public long LinesRead { get; private set; }

    public long MalformedSkipped { get; private set; }

    public IReadOnlyList<string> MalformedExamples => _examples;

    /// <summary>Reads every line of <paramref name="stream"/>; the first is skipped when <paramref name="hasHeader"/>.</summary>
    public async Task ReadAsync(
        Stream stream, Encoding encoding, string displayPath, bool hasHeader, Action<string> handle, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        long lineNumber = 0;
        bool sawContent = false;
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException exception)
            {
                throw new DatasetFormatException(displayPath,
                    string.Create(CultureInfo.InvariantCulture, $"not valid {encoding.WebName} text after line {lineNumber} (wrong encoding?)"), exception);
            }
            catch (InvalidDataException exception)
            {
                throw new DatasetFormatException(displayPath, "the archive entry is corrupt or truncated", exception);
            }

            if (line is null)
            {
                break;
            }

            lineNumber++;
            if (lineNumber == 1 && line.Length > 0 && (line[0] == '\uFEFF' || line[0] == '\uFFFE'))
            {
                line = line[1..];
            }

            if (line.Contains('\0', StringComparison.Ordinal))
            {
                throw new DatasetFormatException(displayPath, lineNumber, line.Replace("\0", string.Empty, StringComparison.Ordinal),
                    "contains NUL characters: the file is not in the expected text encoding (UTF-16?)");
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            sawContent = true;
            if (hasHeader && lineNumber == 1)
            {
                continue;
            }

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
                    _examples.Add(string.Create(CultureInfo.InvariantCulture, $"{displayPath}:{lineNumber}: {exception.Message}: {line}"));
                }
            }
        }

        if (!sawContent)
        {
            throw new DatasetFormatException(displayPath, "the file is empty");
        }
    }

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
            : throw new LineFormatException($"{what} '{field}' is not a non-negative integer");

    public static float ParseRating(ReadOnlySpan<char> field, float minimum, float maximum)
    {
        if (!float.TryParse(field.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || float.IsNaN(value))
        {
            throw new LineFormatException($"rating '{field}' is not a number");
        }

        return value >= minimum && value <= maximum
            ? value
            : throw new LineFormatException(string.Create(CultureInfo.InvariantCulture, $"rating {value} is outside {minimum}..{maximum}"));
    }

    public static long ParseTimestamp(ReadOnlySpan<char> field) =>
        long.TryParse(field.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= 0
            ? value
            : throw new LineFormatException($"timestamp '{field}' is not a non-negative integer of seconds");
}
