namespace GraphRec.Core;

/// <summary>
/// Where training stands: reported after each batch to <see cref="LightGcn.Train"/>'s progress, for a progress bar,
/// and kept once an epoch, after its last batch and its validation, in <see cref="LightGcn.History"/>.
/// </summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="Epochs">The number of epochs planned.</param>
/// <param name="Batch">Batches done in this epoch (all of them in <see cref="LightGcn.History"/>).</param>
/// <param name="Batches">Batches in this epoch.</param>
/// <param name="Loss">Mean loss of the epoch's batches so far.</param>
/// <param name="TriplesPerSecond">Throughput of the epoch so far.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch so far (validation excluded).</param>
/// <param name="Validation">Validation metrics after the epoch, when it was validated; null while the epoch runs.</param>
public sealed record TrainingProgress(
    int Epoch, int Epochs, int Batch, int Batches, double Loss, double TriplesPerSecond, double Seconds = 0, IReadOnlyDictionary<string, double>? Validation = null);
