namespace GraphRec.Core;

/// <summary>
/// One training batch on a model: the rows of the layer sum its triples need, the loss, its gradient with respect to
/// E(0) and Adam's step; and Adam's state, which the trainer schedules and checkpoints. The model makes the step that
/// suits its backend (<see cref="LightGcnModel.CreateTrainingStep"/>): <see cref="AutogradTrainingStep"/>, autograd
/// through <see cref="LightGcnModel.PropagateRows"/>, or a faster one that computes the same step; or, when asked
/// (<see cref="LightGcnOptions.HistoryRefreshesPerEpoch"/>), <see cref="Kernels.HistoricalTrainingStep"/>, whose batch
/// costs what the batch's nodes and a sample of their neighbours cost.
/// </summary>
internal interface ITrainingStep : IAdamState, IDisposable
{
    /// <summary>
    /// Runs one batch: <paramref name="nodes"/> are its users, positives and negatives as node indices, <c>[u; i; j]</c>,
    /// <paramref name="length"/> triples.
    /// </summary>
    /// <returns>The batch's loss, before the step.</returns>
    double Run(ILoss loss, int[] nodes, int length);

    /// <summary>Starts epoch <paramref name="epoch"/> (from 1) of <paramref name="batches"/> batches (a step may plan work per epoch by them).</summary>
    void BeginEpoch(int epoch, int batches);

    /// <summary>Ends an epoch: the model's embeddings are where the rest of the library reads them again.</summary>
    void EndEpoch();
}
