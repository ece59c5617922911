namespace GraphRec.Data;

/// <summary>
/// A split for measuring recommendations for users a model has never seen (<see cref="InteractionDataset.SplitNewUsers"/>):
/// a share of the users is held out whole; each of them brings the items in <see cref="Given"/> and is scored on
/// finding those in <see cref="Hidden"/>. All three parts are over the dataset's users and items; a held-out user
/// has no row in <see cref="Train"/>. Immutable.
/// </summary>
/// <param name="Train">The other users' interactions, all of them.</param>
/// <param name="Given">The first part of each held-out user's interactions (the earliest, when there are timestamps).</param>
/// <param name="Hidden">The rest of each held-out user's interactions, less those of items that never occur in <paramref name="Train"/>.</param>
/// <param name="NewUsers">How many users were held out.</param>
/// <param name="DroppedHidden">Hidden interactions removed because their item never occurs in <paramref name="Train"/> (no model can rank it).</param>
public sealed record NewUserSplit(Interactions Train, Interactions Given, Interactions Hidden, int NewUsers, int DroppedHidden);
