namespace GraphRec.Hosting;

/// <summary>
/// Where the served model comes from and how it follows changes. Bound from code or configuration
/// (<c>services.AddGraphRecRecommender(configuration.GetSection("GraphRec"))</c>) and validated when the host starts.
/// </summary>
public sealed class ServedModelOptions
{
    /// <summary>The model file, as <c>LightGcn.SaveAsync</c> or the sample's <c>train</c> writes it. Required.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Load the file again when a new one is written over it (the model file is replaced by a rename, so a reader sees
    /// the old file or the new one). Requests in flight finish on the model they started with; a file that does not
    /// load is refused with a logged error and the old model keeps serving. Default true.
    /// </summary>
    public bool ReloadOnChange { get; set; } = true;

    /// <summary>How long to wait after the last change before reloading, so that a burst of events loads once. Default 250 ms.</summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(250);
}
