using System.Globalization;

namespace GraphRec.Core;

/// <summary>Training diverged: the loss or the weights became NaN or infinite, so the model is useless and nothing should save it.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the epoch and batch (both 1-based) where the values stopped being finite.</summary>
    public TrainingDivergedException(int epoch, int batch, string what)
        : base(string.Create(CultureInfo.InvariantCulture, $"Training diverged in epoch {epoch}, batch {batch}: {what}. Training stopped; lower the learning rate."))
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The epoch (1-based).</summary>
    public int Epoch { get; }

    /// <summary>The batch (1-based).</summary>
    public int Batch { get; }
}
