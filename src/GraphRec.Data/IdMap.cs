using System.Collections;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// A bijection between the ids of a dataset's users or items, as the source holds them ("u-17", a GUID, a SKU, 196),
/// and dense indices <c>0 .. Count-1</c>. Indices follow the ascending order of the ids, so they do not depend on the
/// order of the records. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// Ids are text at the API: <see cref="GetId"/> and <see cref="Ids"/> give each id exactly as it was given, and
/// <see cref="TryGetIndex(string, out int)"/> finds it again. Integer ids have overloads that take a <see cref="long"/>.
/// </para>
/// <para>
/// A map whose ids are all integers written canonically (an optional minus sign and digits without leading zeros,
/// such as <c>196</c> or <c>-3</c>, not <c>007</c> or <c>+3</c>) keeps them as 64-bit integers
/// (<see cref="IsNumeric"/>), ordered numerically: loading a dataset with integer ids costs no string per id. Any other
/// id makes the whole map textual, ordered ordinally (<see cref="StringComparer.Ordinal"/>), and ids are then
/// matched exactly, case and all: <c>"007"</c> and <c>"7"</c> are different ids.
/// </para>
/// </remarks>
public sealed class IdMap
{
    private readonly long[]? _numericIds;
    private readonly FrozenDictionary<long, int>? _indexByNumericId;
    private readonly string[]? _textIds;
    private readonly FrozenDictionary<string, int>? _indexByTextId;

    /// <summary>Creates a map from distinct integer ids; index i is the i-th smallest id.</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    public IdMap(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        (_numericIds, _indexByNumericId) = Numeric([.. ids]);
        Ids = new FormattedIds(_numericIds);
    }

    /// <summary>
    /// Creates a map from distinct ids as text. When every id is a canonical integer the map is numeric and ordered
    /// numerically; otherwise it is ordered ordinally. See the remarks on <see cref="IdMap"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An id is null or empty, or occurs twice.</exception>
    public IdMap(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        string[] text = [.. ids];
        var numeric = new long[text.Length];
        bool allNumeric = true;
        for (int i = 0; i < text.Length; i++)
        {
            if (string.IsNullOrEmpty(text[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The id at position {i} is {(text[i] is null ? "null" : "empty")}; every id needs at least one character."), nameof(ids));
            }

            allNumeric = allNumeric && TryParseCanonical(text[i], out numeric[i]);
        }

        if (allNumeric)
        {
            (_numericIds, _indexByNumericId) = Numeric(numeric);
            Ids = new FormattedIds(_numericIds);
            return;
        }

        Array.Sort(text, StringComparer.Ordinal);
        for (int i = 1; i < text.Length; i++)
        {
            if (string.Equals(text[i], text[i - 1], StringComparison.Ordinal))
            {
                throw new ArgumentException($"The id \"{text[i]}\" occurs twice.", nameof(ids));
            }
        }

        _textIds = text;
        _indexByTextId = text.Select((id, index) => KeyValuePair.Create(id, index)).ToFrozenDictionary(StringComparer.Ordinal);
        Ids = text;
    }

    /// <summary>The number of ids.</summary>
    public int Count => _numericIds?.Length ?? _textIds!.Length;

    /// <summary>Whether every id is a canonical integer, so the <see cref="long"/> overloads and <see cref="GetNumericId"/> apply to all of them.</summary>
    [MemberNotNullWhen(true, nameof(_numericIds), nameof(_indexByNumericId))]
    [MemberNotNullWhen(false, nameof(_textIds), nameof(_indexByTextId))]
    public bool IsNumeric => _numericIds is not null;

    /// <summary>The ids in index order, as text (integers in the invariant culture, formatted on access).</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The integer ids in index order, without formatting; for code that stores or compares them in bulk.</summary>
    internal ReadOnlySpan<long> NumericIds => _numericIds ?? throw NotNumeric();

    /// <summary>The id of a dense index, as text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in <c>0 .. Count-1</c>.</exception>
    public string GetId(int index)
    {
        CheckIndex(index);
        return IsNumeric ? _numericIds[index].ToString(CultureInfo.InvariantCulture) : _textIds[index];
    }

    /// <summary>The integer id of a dense index.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in <c>0 .. Count-1</c>.</exception>
    /// <exception cref="InvalidOperationException">The ids are not integers (<see cref="IsNumeric"/> is false); use <see cref="GetId"/>.</exception>
    public long GetNumericId(int index)
    {
        CheckIndex(index);
        return IsNumeric ? _numericIds[index] : throw NotNumeric();
    }

    /// <summary>Looks up the dense index of an id given as text (matched exactly).</summary>
    public bool TryGetIndex(string id, out int index)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (IsNumeric)
        {
            index = -1;
            return TryParseCanonical(id, out long numeric) && _indexByNumericId.TryGetValue(numeric, out index);
        }

        return _indexByTextId.TryGetValue(id, out index);
    }

    /// <summary>Looks up the dense index of an integer id.</summary>
    public bool TryGetIndex(long id, out int index) => IsNumeric
        ? _indexByNumericId.TryGetValue(id, out index)
        : _indexByTextId.TryGetValue(id.ToString(CultureInfo.InvariantCulture), out index);

    /// <summary>The dense index of an id given as text.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the map; the message names it.</exception>
    public int GetIndex(string id) => TryGetIndex(id, out int index)
        ? index
        : throw new KeyNotFoundException($"The id \"{id}\" is not in this dataset ({Count} ids).");

    /// <summary>The dense index of an integer id.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the map; the message names it.</exception>
    public int GetIndex(long id) => TryGetIndex(id, out int index)
        ? index
        : throw new KeyNotFoundException(string.Create(CultureInfo.InvariantCulture, $"The id {id} is not in this dataset ({Count} ids)."));

    /// <summary>
    /// Whether <paramref name="text"/> is an integer written the one way <see cref="long.ToString()"/> writes it
    /// (so that text and number convert both ways without changing the id), and its value.
    /// </summary>
    internal static bool TryParseCanonical(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        int start = text.Length > 0 && text[0] == '-' ? 1 : 0;
        int digits = text.Length - start;
        if (digits is < 1 or > 19 || (text[start] == '0' && (digits > 1 || start == 1)))
        {
            return false;
        }

        foreach (char c in text[start..])
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Integer ids sorted, each checked to occur once, and the index of each.</summary>
    private static (long[] Ids, FrozenDictionary<long, int> IndexById) Numeric(long[] ids)
    {
        Array.Sort(ids);
        for (int i = 1; i < ids.Length; i++)
        {
            if (ids[i] == ids[i - 1])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The id {ids[i]} occurs twice."), nameof(ids));
            }
        }

        return (ids, ids.Select((id, index) => KeyValuePair.Create(id, index)).ToFrozenDictionary());
    }

    private void CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
    }

    private static InvalidOperationException NotNumeric() =>
        new("This map's ids are text, not integers (IsNumeric is false); read them with GetId or Ids.");

    /// <summary>Integer ids seen as text, formatted when read so that a numeric map holds no strings.</summary>
    private sealed class FormattedIds(long[] ids) : IReadOnlyList<string>
    {
        public int Count => ids.Length;

        public string this[int index] => ids[index].ToString(CultureInfo.InvariantCulture);

        public IEnumerator<string> GetEnumerator()
        {
            foreach (long id in ids)
            {
                yield return id.ToString(CultureInfo.InvariantCulture);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
