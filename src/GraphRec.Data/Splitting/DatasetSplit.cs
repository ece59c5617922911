namespace GraphRec.Data;

/// <summary>
/// Train, optional validation and test interactions over the same users and items: disjoint, and together exactly
/// the interactions split, less the held-out ones whose user or item never occurs in train (counted in
/// <see cref="DroppedHeldOut"/>: a model cannot rank an item it has never seen, or a user it knows nothing of). Immutable.
/// </summary>
/// <param name="Train">The training interactions.</param>
/// <param name="Validation">The validation interactions, or null.</param>
/// <param name="Test">The test interactions.</param>
/// <param name="DroppedHeldOut">Held-out (test and validation) interactions removed because their user or item is not in train.</param>
public sealed record DatasetSplit(Interactions Train, Interactions? Validation, Interactions Test, int DroppedHeldOut)
{
    /// <summary>The dropped held-out interactions that were meant for test.</summary>
    public int DroppedTest { get; init; }

    /// <summary>
    /// A split that holds nothing out: every interaction in <see cref="Train"/>, no validation, an empty
    /// <see cref="Test"/>. For the model a service serves, which should know every event and recommend none of a
    /// user's own items; a split that holds some out is for measuring a model, not for serving it.
    /// </summary>
    /// <param name="interactions">Every interaction, for example <c>dataset.Interactions</c>.</param>
    /// <example><c>using var model = LightGcn.Train(dataset, DatasetSplit.TrainOnly(dataset.Interactions));</c></example>
    public static DatasetSplit TrainOnly(Interactions interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var nothing = new Interactions(interactions.UserCount, interactions.ItemCount, new int[interactions.UserCount + 1], []);
        return new DatasetSplit(interactions, Validation: null, nothing, DroppedHeldOut: 0);
    }
}
