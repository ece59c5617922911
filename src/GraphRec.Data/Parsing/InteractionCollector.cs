namespace GraphRec.Data;

/// <summary>What <see cref="InteractionCollector.Build"/> makes: the id maps, the positive interactions and, where kept, the known negatives.</summary>
internal sealed record CollectedInteractions(IdMap Users, IdMap Items, Interactions Positives, Interactions? KnownNegatives);

/// <summary>
/// Accumulates raw (user id, item id, rating, timestamp) records while a file streams in, then builds the dense id
/// maps and the CSR interactions: repeated (user, item) pairs are collapsed into one (the latest by timestamp, else the
/// last read), then ratings below the threshold are dropped or set aside as known negatives. The users and items of
/// the dataset are those with at least one positive interaction, indexed in ascending order of their original ids.
/// </summary>
internal sealed class InteractionCollector
{
    private readonly float? _ratingThreshold;
    private readonly bool _keepKnownNegatives;
    private readonly IdSlots _userSlots = new();
    private readonly IdSlots _itemSlots = new();
    private int[] _users = new int[1024];
    private int[] _items = new int[1024];
    private float[] _ratings = new float[1024];
    private long[] _timestamps = new long[1024];
    private int _count;

    public InteractionCollector(float? ratingThreshold, bool keepKnownNegatives, bool hasRatings, bool hasTimestamps)
    {
        if (ratingThreshold is not null && !hasRatings)
        {
            throw new ArgumentException("A rating threshold needs ratings.", nameof(ratingThreshold));
        }

        _ratingThreshold = ratingThreshold;
        _keepKnownNegatives = keepKnownNegatives && ratingThreshold is not null;
        HasRatings = hasRatings;
        HasTimestamps = hasTimestamps;
    }

    public bool HasRatings { get; }

    public bool HasTimestamps { get; }

    /// <summary>Interactions (after collapsing duplicates) rated below the threshold, whether dropped or kept as known negatives.</summary>
    public long BelowThreshold { get; private set; }

    public long DuplicatesCollapsed { get; private set; }

    /// <summary>Known negatives dropped because their user or item has no positive interaction, so is not in the dataset.</summary>
    public long NegativesOutsideDataset { get; private set; }

    /// <summary>The number of records added (and not taken back by <see cref="TruncateTo"/>).</summary>
    public int Count => _count;

    /// <summary>
    /// Forgets the records added after the first <paramref name="count"/>, so that a read that fails part-way leaves
    /// nothing behind. Ids first seen in those records keep their slots but have no record, so <see cref="Build"/>
    /// leaves them out of the maps.
    /// </summary>
    public void TruncateTo(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _count);
        _count = count;
    }

    /// <summary>Adds a record with integer ids.</summary>
    public void Add(long userId, long itemId, float rating = 1f, long timestamp = 0) =>
        Append(_userSlots.Slot(userId), _itemSlots.Slot(itemId), rating, timestamp);

    /// <summary>Adds a record with ids as text; ids that are canonical integers are kept as integers (see <see cref="IdMap"/>).</summary>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    public void Add(string userId, string itemId, float rating = 1f, long timestamp = 0)
    {
        if (string.IsNullOrEmpty(userId))
        {
            throw new ArgumentException($"The user id is {(userId is null ? "null" : "empty")}.", nameof(userId));
        }

        if (string.IsNullOrEmpty(itemId))
        {
            throw new ArgumentException($"The item id is {(itemId is null ? "null" : "empty")}.", nameof(itemId));
        }

        Append(_userSlots.Slot(userId), _itemSlots.Slot(itemId), rating, timestamp);
    }

    private void Append(int userSlot, int itemSlot, float rating, long timestamp)
    {
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

        _users[_count] = userSlot;
        _items[_count] = itemSlot;
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
    public CollectedInteractions Build()
    {
        // Counted afresh each time, so that a builder can build again after adding more.
        DuplicatesCollapsed = 0;
        BelowThreshold = 0;
        NegativesOutsideDataset = 0;
        // Indices over every id read, before the threshold; restricted to the ids with a positive at the end.
        var allUsers = _userSlots.BuildMap();
        var allItems = _itemSlots.BuildMap();
        int[] userIndexOfSlot = _userSlots.IndexOfSlot(allUsers);
        int[] itemIndexOfSlot = _itemSlots.IndexOfSlot(allItems);

        // Counting sort by user, keeping the read order within a user.
        var rowPointers = new int[allUsers.Count + 1];
        for (int r = 0; r < _count; r++)
        {
            rowPointers[userIndexOfSlot[_users[r]] + 1]++;
        }

        for (int u = 0; u < allUsers.Count; u++)
        {
            rowPointers[u + 1] += rowPointers[u];
        }

        var next = rowPointers[..^1];
        var order = new int[_count];
        for (int r = 0; r < _count; r++)
        {
            order[next[userIndexOfSlot[_users[r]]]++] = r;
        }

        // Per position: 0 = collapsed into a later duplicate, 1 = positive, 2 = below the threshold.
        var kind = new byte[_count];
        var sortedItems = new int[_count];
        var userHasPositive = new bool[allUsers.Count];
        var itemHasPositive = new bool[allItems.Count];
        for (int u = 0; u < allUsers.Count; u++)
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
                if (p + 1 < length && rowItems[p + 1] == rowItems[p])
                {
                    DuplicatesCollapsed++;
                    continue;
                }

                if (_ratingThreshold is float threshold && _ratings[rowRecords[p]] < threshold)
                {
                    kind[start + p] = 2;
                    BelowThreshold++;
                    continue;
                }

                kind[start + p] = 1;
                userHasPositive[u] = true;
                itemHasPositive[rowItems[p]] = true;
            }
        }

        var (users, userIndex) = Restrict(allUsers, userHasPositive);
        var (items, itemIndex) = Restrict(allItems, itemHasPositive);
        long positiveCount = _count - DuplicatesCollapsed - BelowThreshold;
        var positives = Emit(1, (int)positiveCount, users.Count, items.Count, rowPointers, kind, order, sortedItems, userIndex, itemIndex, out _);
        Interactions? negatives = null;
        if (_keepKnownNegatives)
        {
            negatives = Emit(2, (int)BelowThreshold, users.Count, items.Count, rowPointers, kind, order, sortedItems, userIndex, itemIndex, out long outside);
            NegativesOutsideDataset = outside;
        }

        return new CollectedInteractions(users, items, positives, negatives);
    }

    /// <summary>The ids whose flag is set, and the new index of each old index (-1 where dropped). Order is kept.</summary>
    private static (IdMap Map, int[] NewIndex) Restrict(IdMap all, bool[] keep)
    {
        var newIndex = new int[all.Count];
        if (Array.TrueForAll(keep, kept => kept))
        {
            // Without a threshold every id is kept: the map is reused rather than built again.
            for (int i = 0; i < newIndex.Length; i++)
            {
                newIndex[i] = i;
            }

            return (all, newIndex);
        }

        var kept = new List<int>(all.Count);
        for (int i = 0; i < all.Count; i++)
        {
            newIndex[i] = keep[i] ? kept.Count : -1;
            if (keep[i])
            {
                kept.Add(i);
            }
        }

        return (all.IsNumeric ? new IdMap(kept.Select(all.GetNumericId)) : new IdMap(kept.Select(all.GetId)), newIndex);
    }

    /// <summary>CSR of the <paramref name="selected"/> positions of one kind; positions whose user or item is not in the
    /// final maps are left out and counted in <paramref name="outside"/>.</summary>
    private Interactions Emit(
        byte wanted, int selected, int userCount, int itemCount, int[] rowPointers, byte[] kind, int[] order, int[] sortedItems,
        int[] userIndex, int[] itemIndex, out long outside)
    {
        outside = 0;
        var pointers = new int[userCount + 1];
        var finalItems = new int[selected];
        var finalRatings = HasRatings ? new float[selected] : null;
        var finalTimestamps = HasTimestamps ? new long[selected] : null;
        int k = 0;
        for (int u = 0; u < userIndex.Length; u++)
        {
            for (int p = rowPointers[u]; p < rowPointers[u + 1]; p++)
            {
                if (kind[p] != wanted)
                {
                    continue;
                }

                // Old and new indices share the ascending order of the original ids, so rows stay sorted by item.
                int item = itemIndex[sortedItems[p]];
                if (userIndex[u] < 0 || item < 0)
                {
                    outside++;
                    continue;
                }

                finalItems[k] = item;
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

            if (userIndex[u] >= 0)
            {
                pointers[userIndex[u] + 1] = k;
            }
        }

        if (k < selected)
        {
            Array.Resize(ref finalItems, k);
            if (finalRatings is not null)
            {
                Array.Resize(ref finalRatings, k);
            }

            if (finalTimestamps is not null)
            {
                Array.Resize(ref finalTimestamps, k);
            }
        }

        return new Interactions(userCount, itemCount, pointers, finalItems, finalRatings, finalTimestamps);
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
}
