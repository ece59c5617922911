using Microsoft.Extensions.Logging;

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
    /// (<see cref="MovieLensOptions.KeepKnownNegatives"/>); null otherwise. Indexed like
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

    /// <summary>
    /// Splits the interactions: <paramref name="test"/> selects the test part, then <paramref name="validation"/>, when
    /// given, selects the validation part from what remains; the rest is train. Held-out interactions whose user or
    /// item never occurs in train are removed and counted in <see cref="DatasetSplit.DroppedHeldOut"/>.
    /// </summary>
    /// <param name="test">How to select the test part, such as <see cref="Splitters.RandomHoldout"/>.</param>
    /// <param name="validation">How to select validation from the rest, or null for none.</param>
    /// <param name="logger">Where the dropped counts are logged.</param>
    /// <exception cref="ArgumentException">A splitter holds out every interaction it is given, leaving nothing to train on; <see cref="ArgumentException.ParamName"/> is the part (<c>test</c> or <c>validation</c>) and the message names the split and what to change.</exception>
    public DatasetSplit Split(ISplitter test, ISplitter? validation = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        return DatasetSplitter.Split(Interactions, test, validation, logger);
    }

    /// <summary>
    /// The split that came with the source (<see cref="PredefinedSplit"/>), with validation carved from its train by
    /// <paramref name="validation"/> when given. Everything either step drops is counted.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dataset did not come split.</exception>
    /// <exception cref="ArgumentException"><paramref name="validation"/> holds out all of the predefined train part (<see cref="ArgumentException.ParamName"/> <c>validation</c>).</exception>
    public DatasetSplit SplitPredefined(ISplitter? validation = null, ILogger? logger = null)
    {
        var predefined = PredefinedSplit
            ?? throw new InvalidOperationException($"{Name} did not come split; use {nameof(Split)} with a splitter such as {nameof(Splitters)}.{nameof(Splitters.RandomHoldout)}.");
        if (validation is null)
        {
            return predefined;
        }

        var inner = DatasetSplitter.Split(predefined.Train, validation, logger: logger, testRole: "validation");
        var split = DatasetSplitter.FromParts(inner.Train, inner.Test, predefined.Test, logger);
        return split with
        {
            DroppedHeldOut = split.DroppedHeldOut + inner.DroppedHeldOut + predefined.DroppedHeldOut,
            DroppedTest = split.DroppedTest + predefined.DroppedTest,
        };
    }

    /// <summary>
    /// Holds out <paramref name="userFraction"/> of the users with at least two interactions whole, to measure
    /// recommendations for users a model has never seen: the model trains on <see cref="NewUserSplit.Train"/>, each held-out
    /// user brings its first <paramref name="givenFraction"/> of interactions (the earliest when there are timestamps, a
    /// seeded random part otherwise; at least one) and is scored on finding the rest. Reproducible for a seed.
    /// </summary>
    /// <param name="userFraction">Share of the users to hold out, in (0, 1). Default 0.1.</param>
    /// <param name="givenFraction">Share of a held-out user's interactions it brings, in (0, 1). Default 0.5.</param>
    /// <param name="seed">Seed of the choice of users (and of the order of interactions without timestamps).</param>
    /// <exception cref="ArgumentOutOfRangeException">A share is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">The share holds out no user.</exception>
    public NewUserSplit SplitNewUsers(double userFraction = 0.1, double givenFraction = 0.5, int seed = 2020) =>
        NewUserSplitter.Split(Interactions, userFraction, givenFraction, seed);

    /// <summary>The metadata of an item index, or null.</summary>
    public ItemInfo? GetItemInfo(int item) => ItemInfo is null ? null : ItemInfo[item];

    /// <summary>The demographics of a user index, or null.</summary>
    public UserInfo? GetUserInfo(int user) => UserInfo is null ? null : UserInfo[user];
}
