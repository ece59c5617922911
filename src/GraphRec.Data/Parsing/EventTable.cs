using System.Data.Common;
using System.Globalization;

namespace GraphRec.Data;

/// <summary>Thrown while one row is converted, to say what is wrong with it; the reader adds where the row is.</summary>
internal sealed class RowFormatException(string problem) : Exception(problem);

/// <summary>
/// The columns of <see cref="InteractionColumns"/> found in a <see cref="DbDataReader"/>'s result, and the conversion
/// of one row's values into an event. One code path for every source: a database's reader and a delimited file's
/// (whose values are all text) are read alike, so a value is accepted as its database type or as its text.
/// </summary>
internal sealed class EventTable
{
    private readonly DbDataReader _reader;
    private readonly InteractionColumns _columns;
    private readonly int[] _ordinals;
    private readonly int _user;
    private readonly int _item;
    private readonly int _rating;
    private readonly int _timestamp;
    private readonly int _title;
    private readonly int _categories;

    private EventTable(DbDataReader reader, InteractionColumns columns, Dictionary<string, int> ordinals)
    {
        _reader = reader;
        _columns = columns;
        _ordinals = [.. columns.Named().Select(column => ordinals[column.Name])];
        _user = ordinals[columns.User];
        _item = ordinals[columns.Item];
        _rating = columns.Rating is { } rating ? ordinals[rating] : -1;
        _timestamp = columns.Timestamp is { } timestamp ? ordinals[timestamp] : -1;
        _title = columns.Title is { } title ? ordinals[title] : -1;
        _categories = columns.Categories is { } categories ? ordinals[categories] : -1;
    }

    public bool HasRatings => _rating >= 0;

    public bool HasTimestamps => _timestamp >= 0;

    public bool HasItemInfo => _title >= 0 || _categories >= 0;

    /// <summary>
    /// Finds every named column in the reader's result: by exact name, else by the one name equal without case.
    /// Every column not found is named in one error, with the columns that are there.
    /// </summary>
    /// <exception cref="DatasetFormatException">A named column is missing.</exception>
    public static EventTable Resolve(DbDataReader reader, InteractionColumns columns, string source)
    {
        columns.Validate();
        var present = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (role, name) in columns.Named())
        {
            int exact = present.IndexOf(name);
            int[] folded = [.. present.Select((column, index) => (column, index))
                .Where(column => string.Equals(column.column, name, StringComparison.OrdinalIgnoreCase)).Select(column => column.index)];
            if (exact >= 0 || folded.Length == 1)
            {
                ordinals[name] = exact >= 0 ? exact : folded[0];
            }
            else
            {
                missing.Add($"{role} column \"{InputText.Printable(name, InputText.FieldLength)}\"{(folded.Length > 1 ? " (several columns match it without case)" : "")}");
            }
        }

        if (missing.Count > 0)
        {
            string there = present.Count == 0
                ? "the source has no columns"
                : "the columns are " + string.Join(", ", present.Select(column => $"\"{InputText.Printable(column, InputText.FieldLength)}\""));
            throw new DatasetFormatException(source, $"no {string.Join(" and no ", missing)}: {there}; name the columns as the source does");
        }

        return new EventTable(reader, columns, ordinals);
    }

    /// <summary>The current row's user id: text as it is (null, with <paramref name="numeric"/> set, for an integer).</summary>
    public string? UserId(out long numeric) => Id(_user, "user", out numeric);

    /// <summary>The current row's item id: text as it is (null, with <paramref name="numeric"/> set, for an integer).</summary>
    public string? ItemId(out long numeric) => Id(_item, "item", out numeric);

    /// <summary>The current row's rating: a number of any type, or number text in the invariant culture; finite.</summary>
    public float Rating()
    {
        object value = Value(_rating, "rating");
        float rating = value switch
        {
            string text => float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed)
                ? parsed
                : throw new RowFormatException($"the rating {InputText.Quote(text)} is not a number"),
            IConvertible number when number.GetTypeCode() is >= TypeCode.SByte and <= TypeCode.Decimal => number.ToSingle(CultureInfo.InvariantCulture),
            _ => throw new RowFormatException($"the rating is a {value.GetType().Name}, not a number"),
        };
        return float.IsFinite(rating)
            ? rating
            : throw new RowFormatException($"the rating {InputText.Quote(Convert.ToString(value, CultureInfo.InvariantCulture))} is not a finite number");
    }

    /// <summary>The current row's time, in whole seconds since the Unix epoch.</summary>
    public long Timestamp()
    {
        object value = Value(_timestamp, "timestamp");
        return value switch
        {
            DateTimeOffset time => time.ToUnixTimeSeconds(),
            DateTime time => new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime())
                .ToUnixTimeSeconds(),
            string text => ParseTime(text.Trim()),
            long or int or short or uint or ushort => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            _ => throw new RowFormatException($"the timestamp is a {value.GetType().Name}, not a date and time or whole seconds since 1970"),
        };
    }

    /// <summary>The current row's item metadata, or null when its title and categories are both null or empty.</summary>
    public ItemInfo? ItemInfo(string itemId)
    {
        string? title = _title >= 0 ? OptionalText(_title, "title") : null;
        string? categories = _categories >= 0 ? OptionalText(_categories, "categories") : null;
        if (title is null && categories is null)
        {
            return null;
        }

        var names = categories?.Split(_columns.CategorySeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return new ItemInfo(title ?? itemId, null, names);
    }

    /// <summary>The current row's named values, for a message: <c>customer=c-17, sku=SKU-4</c>.</summary>
    public string Describe() => string.Join(", ", _columns.Named().Zip(_ordinals, (column, ordinal) => $"{column.Name}={Show(ordinal)}"));

    private string Show(int ordinal)
    {
        try
        {
            return _reader.IsDBNull(ordinal) ? "NULL" : Convert.ToString(_reader.GetValue(ordinal), CultureInfo.InvariantCulture) ?? "";
        }
        catch (Exception exception) when (exception is InvalidCastException or FormatException or DbException or InvalidOperationException)
        {
            return "?";
        }
    }

    private string? Id(int ordinal, string role, out long numeric)
    {
        numeric = 0;
        object value = Value(ordinal, $"{role} id");
        switch (value)
        {
            case long or int or short or byte or sbyte or ushort or uint:
                numeric = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return null;
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            default:
                return value.ToString() is { Length: > 0 } text ? text : throw new RowFormatException($"the {role} id is empty (column \"{_reader.GetName(ordinal)}\")");
        }
    }

    private object Value(int ordinal, string what) => _reader.IsDBNull(ordinal)
        ? throw new RowFormatException($"the {what} is null (column \"{_reader.GetName(ordinal)}\")")
        : _reader.GetValue(ordinal);

    private string? OptionalText(int ordinal, string what)
    {
        if (_reader.IsDBNull(ordinal) || Convert.ToString(_reader.GetValue(ordinal), CultureInfo.InvariantCulture) is not { Length: > 0 } text)
        {
            return null;
        }

        return InputText.HasControl(text) ? throw new RowFormatException($"the {what} contains control characters") : text;
    }

    private static long ParseTime(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
        {
            return seconds;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUnixTimeSeconds()
            : throw new RowFormatException($"the timestamp {InputText.Quote(text)} is neither a date and time (such as 2024-05-01T10:00:00Z) nor whole seconds since 1970");
    }
}
