using System.Collections.Frozen;
using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// A bijection between the original ids of a dataset (user or item ids as they appear in its files) and dense
/// indices <c>0 .. Count-1</c>. Indices follow the ascending order of the original ids, so they do not depend on
/// the order of the lines in a file. Immutable.
/// </summary>
public sealed class IdMap
{
    private readonly long[] _originalIds;
    private readonly FrozenDictionary<long, int> _indexById;

    /// <summary>Creates a map from distinct original ids; index i is the i-th smallest id.</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    public IdMap(IEnumerable<long> originalIds)
    {
        ArgumentNullException.ThrowIfNull(originalIds);
        _originalIds = [.. originalIds];
        Array.Sort(_originalIds);
        for (int i = 1; i < _originalIds.Length; i++)
        {
            if (_originalIds[i] == _originalIds[i - 1])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The id {_originalIds[i]} occurs twice."), nameof(originalIds));
            }
        }

        _indexById = _originalIds.Select((id, index) => KeyValuePair.Create(id, index)).ToFrozenDictionary();
    }

    /// <summary>The number of ids.</summary>
    public int Count => _originalIds.Length;

    /// <summary>The original ids in index order.</summary>
    public IReadOnlyList<long> OriginalIds => _originalIds;

    /// <summary>The original id of a dense index.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in <c>0 .. Count-1</c>.</exception>
    public long GetOriginalId(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _originalIds[index];
    }

    /// <summary>Looks up the dense index of an original id.</summary>
    public bool TryGetIndex(long originalId, out int index) => _indexById.TryGetValue(originalId, out index);

    /// <summary>The dense index of an original id.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the map.</exception>
    public int GetIndex(long originalId) => _indexById.TryGetValue(originalId, out int index)
        ? index
        : throw new KeyNotFoundException(string.Create(CultureInfo.InvariantCulture, $"The id {originalId} is not in this dataset ({Count} ids)."));
}
