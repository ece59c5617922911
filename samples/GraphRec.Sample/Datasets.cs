using GraphRec.Data;
using GraphRec.Samples;

namespace GraphRec.Sample;

/// <summary>Loads the dataset the options name and splits it the way they say.</summary>
internal static class Datasets
{
    public static Task<InteractionDataset> LoadAsync(DataSettings settings, IProgress<DownloadProgress>? download, CancellationToken cancellationToken)
    {
        if (settings.Dataset is "csv" or "sql")
        {
            return LoadEventsAsync(settings, cancellationToken);
        }

        if (settings.Dataset == "edgelist")
        {
            string name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(settings.TrainFile!))) is { Length: > 0 } folder ? folder : "edgelist";
            return new EdgeListProvider(settings.TrainFile!, settings.TestFile!, name).LoadAsync(cancellationToken);
        }

        var release = MovieLensRelease.FromName(settings.Dataset);
        var bytes = download is null ? null : new BytesReceived(received => download.Report(new DownloadProgress(release.Name + ".zip", received, release.Length)));
        var options = new MovieLensOptions { DataDirectory = settings.DataDirectory, RatingThreshold = settings.RatingThreshold, DownloadProgress = bytes };
        return new MovieLensProvider(release, options).LoadAsync(cancellationToken);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class BytesReceived(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>One's own events: a delimited file, or the rows of a query on SQLite or PostgreSQL.</summary>
    private static async Task<InteractionDataset> LoadEventsAsync(DataSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Dataset == "csv")
        {
            var fromFile = new InteractionDatasetBuilder(Path.GetFileNameWithoutExtension(settings.EventsFile!), settings.RatingThreshold);
            await fromFile.AddDelimitedFileAsync(settings.EventsFile!, settings.Columns, cancellationToken).ConfigureAwait(false);
            return fromFile.Build();
        }

        return await new DatabaseEvents(settings.Provider!, settings.Connection!, settings.Query!, settings.Columns, settings.RatingThreshold)
            .LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The split in effect: <c>predefined</c> for edge lists unless another is asked for, else <c>random</c>.</summary>
    public static string ResolveSplitName(SplitSettings split, InteractionDataset dataset) =>
        split.Split is { Length: > 0 } name ? name : dataset.PredefinedSplit is not null ? "predefined" : "random";

    public static DatasetSplit Split(InteractionDataset dataset, SplitSettings settings)
    {
        string name = ResolveSplitName(settings, dataset);
        ISplitter? Splitter(double ratio) => name switch
        {
            "random" => Splitters.RandomHoldout(ratio, settings.Seed),
            "leave-last-out" => Splitters.LeaveLastOut(1),
            "temporal" => Splitters.TemporalAtQuantile(1 - ratio),
            _ => null,
        };

        if (name == "none")
        {
            return DatasetSplit.TrainOnly(dataset.Interactions);
        }

        if (name == "predefined")
        {
            // Validation is carved from the predefined train with a random per-user holdout.
            return dataset.PredefinedSplit is null
                ? throw new UsageException($"--split predefined needs a dataset that comes split (an edge list); {dataset.Name} does not.")
                : dataset.SplitPredefined(settings.ValidationRatio > 0 ? Splitters.RandomHoldout(settings.ValidationRatio, settings.Seed) : null);
        }

        if (name is "leave-last-out" or "temporal" && !dataset.Interactions.HasTimestamps)
        {
            throw new UsageException($"--split {name} needs timestamps, and {dataset.Name} has none.");
        }

        return dataset.Split(Splitter(settings.TestRatio)!, settings.ValidationRatio > 0 ? Splitter(settings.ValidationRatio) : null);
    }
}
