namespace GraphRec.Data;

/// <summary>Options of <see cref="MovieLensProvider"/>, validated when the provider is created.</summary>
public sealed class MovieLensOptions
{
    /// <summary>Where to look for the dataset (folder <c>ml-100k/</c> or archive <c>ml-100k.zip</c>) and to download it.
    /// Default: the environment variable <c>GRAPHREC_DATA_DIR</c>, else the user's cache folder (<c>~/.cache/graphrec</c>;
    /// <c>%LOCALAPPDATA%\graphrec</c> on Windows).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Ratings at or above this value become interactions; the others are dropped, or kept as known negatives
    /// (<see cref="KeepKnownNegatives"/>), and counted in <see cref="LoadReport.BelowThreshold"/>. Repeated ratings of the
    /// same (user, item) collapse to the latest before the threshold applies. Must be finite. Default null: every
    /// rating is an interaction.</summary>
    public float? RatingThreshold { get; set; }

    /// <summary>
    /// Keep the ratings below <see cref="RatingThreshold"/> apart in <see cref="InteractionDataset.KnownNegatives"/>,
    /// indexed like the positive interactions, instead of dropping them. The users and items of the dataset are still
    /// those with a positive interaction, so the positive interactions, id maps and splits are exactly those of
    /// dropping; a known negative whose user or item has no positive interaction is dropped and counted in
    /// <see cref="LoadReport.KnownNegativesOutsideDataset"/>. Default false.
    /// </summary>
    public bool KeepKnownNegatives { get; set; }

    /// <summary>Skip malformed lines (counted, the first few reported) instead of throwing. Default false.</summary>
    public bool Lenient { get; set; }

    /// <summary>Download the archive from GroupLens when it is not in the data directory. Default true.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>
    /// Receives the bytes of the archive received so far while it downloads, for a progress bar; the whole archive is
    /// the release's <see cref="MovieLensRelease.Length"/> bytes, and its file <see cref="MovieLensRelease.Name"/>.zip. Default null.
    /// </summary>
    public IProgress<long>? DownloadProgress { get; set; }

    /// <summary>The client for downloads. Default null: a shared client.</summary>
    public HttpClient? HttpClient { get; set; }
}
