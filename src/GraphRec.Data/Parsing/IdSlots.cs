using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// Numbers the distinct ids of one axis (users or items) in the order they are first read. Ids stay 64-bit integers
/// while every id read is a canonical integer, so integer sources pay no string per id; the first other id turns the
/// slots into text, keeping the numbers given so far (the rule of <see cref="IdMap"/>).
/// </summary>
internal sealed class IdSlots
{
    private Dictionary<long, int>? _numeric = [];
    private Dictionary<string, int>? _text;

    public int Count => _numeric?.Count ?? _text!.Count;

    public int Slot(long id) => _numeric is not null ? Slot(_numeric, id) : Slot(_text!, id.ToString(CultureInfo.InvariantCulture));

    public int Slot(string id)
    {
        if (_numeric is not null)
        {
            if (IdMap.TryParseCanonical(id, out long numeric))
            {
                return Slot(_numeric, numeric);
            }

            _text = new Dictionary<string, int>(_numeric.Count, StringComparer.Ordinal);
            foreach (var (key, slot) in _numeric)
            {
                _text.Add(key.ToString(CultureInfo.InvariantCulture), slot);
            }

            _numeric = null;
        }

        return Slot(_text!, id);
    }

    /// <summary>The map of every id read, in ascending order.</summary>
    public IdMap BuildMap() => _numeric is not null ? new IdMap(_numeric.Keys) : new IdMap(_text!.Keys);

    /// <summary>The index in <paramref name="map"/> (made by <see cref="BuildMap"/>) of each slot.</summary>
    public int[] IndexOfSlot(IdMap map)
    {
        var result = new int[Count];
        if (_numeric is not null)
        {
            foreach (var (id, slot) in _numeric)
            {
                result[slot] = map.GetIndex(id);
            }
        }
        else
        {
            foreach (var (id, slot) in _text!)
            {
                result[slot] = map.GetIndex(id);
            }
        }

        return result;
    }

    private static int Slot<TKey>(Dictionary<TKey, int> slots, TKey id)
        where TKey : notnull
    {
        if (!slots.TryGetValue(id, out int slot))
        {
            slot = slots.Count;
            slots.Add(id, slot);
        }

        return slot;
    }
}
