using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// User–item interactions in compressed sparse row form: for user u, its items are
/// <c>Items[RowPointers[u] .. RowPointers[u+1]]</c>, sorted ascending and distinct, with the rating and timestamp
/// of each at the same positions where the source has them. Immutable.
/// </summary>
public sealed class Interactions
{
    private readonly int[] _rowPointers;
    private readonly int[] _items;
    private readonly float[]? _ratings;
    private readonly long[]? _timestamps;

    /// <summary>Creates the CSR structure; the arrays are taken over, not copied.</summary>
    /// <exception cref="ArgumentException">The arrays are inconsistent, or a row is unsorted or repeats an item.</exception>
    public Interactions(int userCount, int itemCount, int[] rowPointers, int[] items, float[]? ratings = null, long[]? timestamps = null)
    {
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(items);
        if (userCount < 0 || itemCount < 0 || rowPointers.Length != userCount + 1 || rowPointers[0] != 0 || rowPointers[userCount] != items.Length)
        {
            throw new ArgumentException($"Row pointers must have {userCount + 1} entries from 0 to {items.Length}.", nameof(rowPointers));
        }

        if ((ratings is not null && ratings.Length != items.Length) || (timestamps is not null && timestamps.Length != items.Length))
        {
            throw new ArgumentException("Ratings and timestamps, where given, must have one entry per interaction.");
        }

        // All pointers first: a later row's pointer may lie beyond the items, which the item check below would index.
        for (int user = 0; user < userCount; user++)
        {
            if (rowPointers[user + 1] < rowPointers[user])
            {
                throw new ArgumentException("Row pointers must not decrease.", nameof(rowPointers));
            }
        }

        for (int user = 0; user < userCount; user++)
        {
            for (int p = rowPointers[user]; p < rowPointers[user + 1]; p++)
            {
                if ((uint)items[p] >= (uint)itemCount || (p > rowPointers[user] && items[p] <= items[p - 1]))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"The items of user {user} must be distinct, sorted and below {itemCount}."), nameof(items));
                }
            }
        }

        UserCount = userCount;
        ItemCount = itemCount;
        _rowPointers = rowPointers;
        _items = items;
        _ratings = ratings;
        _timestamps = timestamps;
    }

    /// <summary>The number of users (rows), including users without interactions here.</summary>
    public int UserCount { get; }

    /// <summary>The number of items (columns).</summary>
    public int ItemCount { get; }

    /// <summary>The number of interactions.</summary>
    public int Count => _items.Length;

    /// <summary>Whether ratings are present.</summary>
    public bool HasRatings => _ratings is not null;

    /// <summary>Whether timestamps are present.</summary>
    public bool HasTimestamps => _timestamps is not null;

    /// <summary>CSR row pointers, length <c>UserCount + 1</c>.</summary>
    public ReadOnlySpan<int> RowPointers => _rowPointers;

    /// <summary>The item of every interaction, grouped by user.</summary>
    public ReadOnlySpan<int> Items => _items;

    /// <summary>The rating of every interaction; empty when the source has none.</summary>
    public ReadOnlySpan<float> Ratings => _ratings;

    /// <summary>The timestamp (seconds since the Unix epoch) of every interaction; empty when the source has none.</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps;

    /// <summary>The items of one user, sorted ascending.</summary>
    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_rowPointers[user], _rowPointers[user + 1] - _rowPointers[user]);

    /// <summary>The number of interactions of one user.</summary>
    public int CountOf(int user) => _rowPointers[user + 1] - _rowPointers[user];

    /// <summary>Whether the user interacted with the item (binary search in the user's row).</summary>
    public bool Contains(int user, int item) => ItemsOf(user).BinarySearch(item) >= 0;

    /// <summary>The user of every interaction, in CSR order (a new array, for building COO structures).</summary>
    public int[] ExpandUsers()
    {
        var users = new int[Count];
        for (int user = 0; user < UserCount; user++)
        {
            users.AsSpan(_rowPointers[user], CountOf(user)).Fill(user);
        }

        return users;
    }

    /// <summary>Interactions per item across all users (a new array).</summary>
    public int[] ItemDegrees()
    {
        var degrees = new int[ItemCount];
        foreach (int item in _items)
        {
            degrees[item]++;
        }

        return degrees;
    }

    /// <summary>Builds a new set holding the interactions at the given CSR positions of this one (kept in order).</summary>
    /// <param name="keep">One flag per interaction, true to keep it.</param>
    public Interactions Select(ReadOnlySpan<bool> keep)
    {
        if (keep.Length != Count)
        {
            throw new ArgumentException($"Expected {Count} flags, got {keep.Length}.", nameof(keep));
        }

        var rowPointers = new int[UserCount + 1];
        int kept = 0;
        foreach (bool flag in keep)
        {
            kept += flag ? 1 : 0;
        }

        var items = new int[kept];
        var ratings = _ratings is null ? null : new float[kept];
        var timestamps = _timestamps is null ? null : new long[kept];
        int next = 0;
        for (int user = 0; user < UserCount; user++)
        {
            for (int p = _rowPointers[user]; p < _rowPointers[user + 1]; p++)
            {
                if (!keep[p])
                {
                    continue;
                }

                items[next] = _items[p];
                if (ratings is not null)
                {
                    ratings[next] = _ratings![p];
                }

                if (timestamps is not null)
                {
                    timestamps[next] = _timestamps![p];
                }

                next++;
            }

            rowPointers[user + 1] = next;
        }

        return new Interactions(UserCount, ItemCount, rowPointers, items, ratings, timestamps);
    }
}
