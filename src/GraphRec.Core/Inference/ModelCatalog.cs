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

    /// <summary>The metadata of item index <paramref name="item"/>, or null.</summary>
    public ItemInfo? GetItemInfo(int item) => ItemInfo is null ? null : ItemInfo[item];
}
