namespace GraphRec.Data;

/// <summary>
/// A dataset of implicit-feedback interactions: dense user and item indices with their original ids, the
/// interactions in CSR form, item and user metadata where the source has them, and a predefined split where the
/// source comes already split (the LightGCN edge-list datasets). Immutable.
/// </summary>
public sealed class InteractionDataset
{
    /// <summary>Creates a dataset.</summary>
    /// <exception cref="ArgumentException">The id maps, interactions and metadata disagree in size.</exception>
    public InteractionDataset(
        string name, IdMap users, IdMap items, Interactions interactions, IReadOnlyList<ItemInfo?>? itemInfo,
        LoadReport report, DatasetSplit? predefinedSplit = null, IReadOnlyList<UserInfo?>? userInfo = null,
        Interactions? knownNegatives = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(interactions);
        if (interactions.UserCount != users.Count || interactions.ItemCount != items.Count)
        {
            throw new ArgumentException(
                $"Interactions are {interactions.UserCount} x {interactions.ItemCount}, id maps {users.Count} x {items.Count}.");
        }

        if (itemInfo is not null && itemInfo.Count != items.Count)
        {
            throw new ArgumentException($"Item metadata has {itemInfo.Count} entries for {items.Count} items.", nameof(itemInfo));
        }

        if (userInfo is not null && userInfo.Count != users.Count)
        {
            throw new ArgumentException($"User metadata has {userInfo.Count} entries for {users.Count} users.", nameof(userInfo));
        }

        if (knownNegatives is not null && (knownNegatives.UserCount != users.Count || knownNegatives.ItemCount != items.Count))
        {
            throw new ArgumentException(
                $"Known negatives are {knownNegatives.UserCount} x {knownNegatives.ItemCount}, id maps {users.Count} x {items.Count}.", nameof(knownNegatives));
        }

        Name = name;
        Users = users;
        Items = items;
        Interactions = interactions;
        ItemInfo = itemInfo;
        Report = report ?? throw new ArgumentNullException(nameof(report));
        PredefinedSplit = predefinedSplit;
        UserInfo = userInfo;
        KnownNegatives = knownNegatives;
    }

    /// <summary>The dataset's name, such as <c>ml-100k</c>.</summary>
    public string Name { get; }

    /// <summary>Original user ids ↔ dense user indices.</summary>
    public IdMap Users { get; }

    /// <summary>Original item ids ↔ dense item indices.</summary>
    public IdMap Items { get; }

    /// <summary>All interactions (for a predefined split: train and test together).</summary>
    public Interactions Interactions { get; }

    /// <summary>
    /// Ratings below the rating threshold, kept apart when the provider was asked to
    /// (<see cref="Providers.BelowThresholdPolicy.KeepAsKnownNegatives"/>); null otherwise. Indexed like
    /// <see cref="Interactions"/> and disjoint from it. Nothing in GraphRec trains on them or splits them: they are
    /// there for analyses and for samplers or metrics that want explicit negatives.
    /// </summary>
    public Interactions? KnownNegatives { get; }

    /// <summary>Metadata per item index (null entries for items the metadata file lacks); null when the source has none.</summary>
    public IReadOnlyList<ItemInfo?>? ItemInfo { get; }

    /// <summary>Demographics per user index (null entries for users the metadata file lacks); null when the source has none.</summary>
    public IReadOnlyList<UserInfo?>? UserInfo { get; }

    /// <summary>What loading kept, dropped and collapsed.</summary>
    public LoadReport Report { get; }

    /// <summary>The split that came with the source, or null.</summary>
    public DatasetSplit? PredefinedSplit { get; }

    /// <summary>The metadata of an item index, or null.</summary>
    public ItemInfo? GetItemInfo(int item) => ItemInfo is null ? null : ItemInfo[item];

    /// <summary>The demographics of a user index, or null.</summary>
    public UserInfo? GetUserInfo(int user) => UserInfo is null ? null : UserInfo[user];
}

/// <summary>What a provider did with the lines it read. Immutable.</summary>
/// <param name="LinesRead">Interaction lines read (headers and metadata files excluded).</param>
/// <param name="BelowThreshold">Ratings below the threshold (after collapsing duplicates): dropped, or kept as known negatives.</param>
/// <param name="DuplicatesCollapsed">Repeated (user, item) pairs collapsed into one interaction (the latest one kept).</param>
/// <param name="MalformedSkipped">Malformed lines skipped in lenient mode, in the interaction and the metadata files (zero in
/// strict mode, which throws instead).</param>
/// <param name="MalformedExamples">The first few malformed lines skipped, as "file:line: text".</param>
/// <param name="KnownNegativesOutsideDataset">Ratings below the threshold that were to be kept as known negatives but were dropped
/// because their user or item has no positive interaction.</param>
public sealed record LoadReport(
    long LinesRead, long BelowThreshold, long DuplicatesCollapsed, long MalformedSkipped, IReadOnlyList<string> MalformedExamples,
    long KnownNegativesOutsideDataset = 0);
