using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>
/// What a trained model needs besides its weights to be used and rebuilt: the dataset's name, the maps between
/// original ids and dense indices, the training interactions the adjacency was built from (also what a user has
/// already seen), and the item metadata shown next to a recommendation. Immutable.
/// </summary>
/// <param name="DatasetName">The dataset's name, for reports.</param>
/// <param name="Users">Original user ids ↔ dense indices.</param>
/// <param name="Items">Original item ids ↔ dense indices.</param>
/// <param name="Train">The training interactions (dense indices).</param>
/// <param name="ItemInfo">Metadata per item index, or null when the dataset has none.</param>
internal sealed record ModelCatalog(string DatasetName, IdMap Users, IdMap Items, Interactions Train, IReadOnlyList<ItemInfo?>? ItemInfo)
{
    /// <summary>The catalogue of <paramref name="dataset"/> with <paramref name="train"/> as the training interactions.</summary>
    public static ModelCatalog From(InteractionDataset dataset, Interactions train)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(train);
        return new ModelCatalog(dataset.Name, dataset.Users, dataset.Items, train, dataset.ItemInfo);
    }

    /// <summary>Checks that every part of <paramref name="split"/> is over <paramref name="dataset"/>'s users and items.</summary>
    /// <exception cref="ArgumentException">A part is of another shape.</exception>
    public static void RequireSplitOf(InteractionDataset dataset, DatasetSplit split)
    {
        foreach (var (part, name) in new[] { (split.Train, "train"), (split.Test, "test"), (split.Validation, "validation") })
        {
            if (part is not null && (part.UserCount != dataset.Users.Count || part.ItemCount != dataset.Items.Count))
            {
                throw new ArgumentException(
                    $"The split's {name} part is {part.UserCount} users x {part.ItemCount} items, the dataset {dataset.Name} {dataset.Users.Count} x {dataset.Items.Count}: split this dataset.",
                    nameof(split));
            }
        }
    }

    /// <summary>The metadata of item index <paramref name="item"/>, or null.</summary>
    public ItemInfo? GetItemInfo(int item) => ItemInfo is null ? null : ItemInfo[item];
}
