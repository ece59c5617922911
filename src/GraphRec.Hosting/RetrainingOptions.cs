using GraphRec.Core;

namespace GraphRec.Hosting;

/// <summary>
/// How <see cref="ModelRetrainer"/> keeps the served model fresh: when it retrains, from what, and where it writes the
/// new model. The events come from the <see cref="GraphRec.Data.IDatasetProvider"/> registered in the services.
/// Validated when the host starts.
/// </summary>
public sealed class RetrainingOptions
{
    /// <summary>
    /// Retrain every this long, the first time one interval after start; null (the default) retrains only when
    /// <see cref="ModelRetrainer.RetrainAsync"/> is called. At least one second when set.
    /// </summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>
    /// Start a LightGCN retrain from the served model's embeddings for the users and items it knows (new ones start as
    /// in a cold start), so that fewer epochs reach the same accuracy. Default true. Graph filters have no training and
    /// are simply fitted again.
    /// </summary>
    public bool WarmStart { get; set; } = true;

    /// <summary>
    /// LightGCN's hyperparameters for a retrain; null (the default) takes the served model's own. Every retrain trains
    /// on all current events, without a validation part, and keeps the last epoch.
    /// </summary>
    public LightGcnOptions? LightGcn { get; set; }

    /// <summary>
    /// Where to write the new model, atomically (a finished temporary file renamed over the target); null (the default)
    /// writes over the served file, which the served model then loads. Another path leaves the served model as it is.
    /// </summary>
    public string? ModelPath { get; set; }
}
