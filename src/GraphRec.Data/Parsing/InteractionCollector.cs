namespace GraphRec.Data.Parsing;

/// <summary>
/// Accumulates raw (user id, item id, rating, timestamp) records while a file streams in, then builds the dense id
/// maps and the CSR interactions: ratings below the threshold are dropped, repeated (user, item) pairs are
/// collapsed into one (the latest by timestamp, else the last read), and indices follow ascending original ids.
/// </summary>
internal sealed class InteractionCollector
{
    private readonly float? _ratingThreshold;
    private readonly Dictionary<long, int> _userSlots = [];
    private readonly Dictionary<long, int> _itemSlots = [];
    private int[] _users = new int[1024];
    private int[] _items = new int[1024];
    private float[] _ratings = new float[1024];
    private long[] _timestamps = new long[1024];
    private int _count;

    public InteractionCollector(float? ratingThreshold, bool hasRatings, bool hasTimestamps)
    {
        _ratingThreshold = ratingThreshold;
        HasRatings = hasRatings;
        HasTimestamps = hasTimestamps;
    }

    public bool HasRatings { get; }

    public bool HasTimestamps { get; }

    public long BelowThreshold { get; private set; }

    public long DuplicatesCollapsed { get; private set; }

    public void Add(long userId, long itemId, float rating = 1f, long timestamp = 0)
    {
        if (_ratingThreshold is float threshold && rating < threshold)
        {
            BelowThreshold++;
            return;
        }

        if (_count == _users.Length)
        {
            int capacity = checked(_count * 2);
            Array.Resize(ref _users, capacity);
            Array.Resize(ref _items, capacity);
            if (HasRatings)
            {
                Array.Resize(ref _ratings, capacity);
            }

            if (HasTimestamps)
            {
                Array.Resize(ref _timestamps, capacity);
            }
        }

        _users[_count] = Slot(_userSlots, userId);
        _items[_count] = Slot(_itemSlots, itemId);
        if (HasRatings)
        {
            _ratings[_count] = rating;
        }

        if (HasTimestamps)
        {
            _timestamps[_count] = timestamp;
        }

        _count++;
    }

    /// <summary>Builds the id maps and the CSR interactions from everything added.</summary>
    public (IdMap Users, IdMap Items, Interactions Interactions) Build()
    {
        var users = new IdMap(_userSlots.Keys);
        var items = new IdMap(_itemSlots.Keys);
        int[] userIndexOfSlot = IndexOfSlot(_userSlots, users);
        int[] itemIndexOfSlot = IndexOfSlot(_itemSlots, items);

        // Counting sort by user, keeping the read order within a user.
        var rowPointers = new int[users.Count + 1];
        for (int r = 0; r < _count; r++)
        {
            rowPointers[userIndexOfSlot[_users[r]] + 1]++;
        }

        for (int u = 0; u < users.Count; u++)
        {
            rowPointers[u + 1] += rowPointers[u];
        }

        var next = rowPointers[..^1];
        var order = new int[_count];
        for (int r = 0; r < _count; r++)
        {
            order[next[userIndexOfSlot[_users[r]]]++] = r;
        }

        var keep = new bool[_count];
        var sortedItems = new int[_count];
        for (int u = 0; u < users.Count; u++)
        {
            int start = rowPointers[u], length = rowPointers[u + 1] - start;
            var rowItems = sortedItems.AsSpan(start, length);
            var rowRecords = order.AsSpan(start, length);
            for (int p = 0; p < length; p++)
            {
                rowItems[p] = itemIndexOfSlot[_items[rowRecords[p]]];
            }

            // Sort by (item, timestamp, read order): the last of a run of equal items is the one kept.
            SortRow(rowItems, rowRecords);
            for (int p = 0; p < length; p++)
            {
                bool lastOfRun = p + 1 == length || rowItems[p + 1] != rowItems[p];
                keep[start + p] = lastOfRun;
                DuplicatesCollapsed += lastOfRun ? 0 : 1;
            }
        }

        int kept = _count - (int)DuplicatesCollapsed;
        var finalPointers = new int[users.Count + 1];
        var finalItems = new int[kept];
        var finalRatings = HasRatings ? new float[kept] : null;
        var finalTimestamps = HasTimestamps ? new long[kept] : null;
        int k = 0;
        for (int u = 0; u < users.Count; u++)
        {
            for (int p = rowPointers[u]; p < rowPointers[u + 1]; p++)
            {
                if (!keep[p])
                {
                    continue;
                }

                finalItems[k] = sortedItems[p];
                if (finalRatings is not null)
                {
                    finalRatings[k] = _ratings[order[p]];
                }

                if (finalTimestamps is not null)
                {
                    finalTimestamps[k] = _timestamps[order[p]];
                }

                k++;
            }

            finalPointers[u + 1] = k;
        }

        return (users, items, new Interactions(users.Count, items.Count, finalPointers, finalItems, finalRatings, finalTimestamps));
    }

    private void SortRow(Span<int> rowItems, Span<int> rowRecords)
    {
        // Records were appended in read order, so ties on item fall back to timestamp, then read order.
        if (HasTimestamps)
        {
            var timestamps = _timestamps;
            var keys = new (int Item, long Timestamp, int Record)[rowItems.Length];
            for (int p = 0; p < keys.Length; p++)
            {
                keys[p] = (rowItems[p], timestamps[rowRecords[p]], rowRecords[p]);
            }

            Array.Sort(keys);
            for (int p = 0; p < keys.Length; p++)
            {
                rowItems[p] = keys[p].Item;
                rowRecords[p] = keys[p].Record;
            }

            return;
        }

        var composite = new long[rowItems.Length];
        for (int p = 0; p < composite.Length; p++)
        {
            composite[p] = (long)rowItems[p] << 32 | (uint)rowRecords[p];
        }

        Array.Sort(composite);
        for (int p = 0; p < composite.Length; p++)
        {
            rowItems[p] = (int)(composite[p] >> 32);
            rowRecords[p] = (int)(composite[p] & 0xffffffff);
        }
    }

    private static int Slot(Dictionary<long, int> slots, long id)
    {
        if (!slots.TryGetValue(id, out int slot))
        {
            slot = slots.Count;
            slots.Add(id, slot);
        }

        return slot;
    }

    private static int[] IndexOfSlot(Dictionary<long, int> slots, IdMap map)
    {
        var result = new int[slots.Count];
        foreach (var (id, slot) in slots)
        {
            result[slot] = map.GetIndex(id);
        }

        return result;
    }
}
