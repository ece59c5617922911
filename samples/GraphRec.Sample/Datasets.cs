using GraphRec.Data;
using GraphRec.Data.Providers;
using GraphRec.Data.Splitting;

namespace GraphRec.Sample;

/// <summary>Loads the dataset the options name and splits it the way they say.</summary>
internal static class Datasets
{
    public static Task<InteractionDataset> LoadAsync(DataSettings settings, IProgress<DownloadProgress>? download, CancellationToken cancellationToken)
    {
        if (settings.Dataset == "edgelist")
        {
            return new EdgeListProvider(settings.TrainFile!, settings.TestFile!, new EdgeListOptions { Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(settings.TrainFile!))) ?? "edgelist" })
                .LoadAsync(cancellationToken);
        }

        var options = new MovieLensOptions { DataDirectory = settings.DataDirectory, RatingThreshold = settings.RatingThreshold, DownloadProgress = download };
        return new MovieLensProvider(MovieLensRelease.FromName(settings.Dataset), options).LoadAsync(cancellationToken);
    }

    /// <summary>The split in effect: <c>predefined</c> for edge lists unless another is asked for, else <c>random</c>.</summary>
    public static string ResolveSplitName(SplitSettings split, InteractionDataset dataset) =>
        split.Split is { Length: > 0 } name ? name : dataset.PredefinedSplit is not null ? "predefined" : "random";

    public static DatasetSplit Split(InteractionDataset dataset, SplitSettings settings)
    {
        string name = ResolveSplitName(settings, dataset);
        ISplitter? Splitter(double ratio) => name switch
        {
            "random" => new RandomHoldoutSplitter(ratio, settings.Seed),
            "leave-last-out" => new LeaveLastOutSplitter(1),
            "temporal" => TemporalSplitter.AtQuantile(1 - ratio),
            _ => null,
        };

        var validation = settings.ValidationRatio > 0 ? Splitter(settings.ValidationRatio) : null;
        if (name != "predefined")
        {
            if (name is "leave-last-out" or "temporal" && !dataset.Interactions.HasTimestamps)
            {
                throw new UsageException($"--split {name} needs timestamps, and {dataset.Name} has none.");
            }

            return DatasetSplitter.Split(dataset.Interactions, Splitter(settings.TestRatio)!, validation);
        }

        var predefined = dataset.PredefinedSplit
            ?? throw new UsageException($"--split predefined needs a dataset that comes split (an edge list); {dataset.Name} does not.");
        if (validation is null)
        {
            return predefined;
        }

        // Validation is carved from the predefined train with a random per-user holdout; what each step drops is counted.
        var inner = DatasetSplitter.Split(predefined.Train, new RandomHoldoutSplitter(settings.ValidationRatio, settings.Seed));
        var split = DatasetSplitter.FromParts(inner.Train, inner.Test, predefined.Test);
        return split with
        {
            DroppedHeldOut = split.DroppedHeldOut + inner.DroppedHeldOut + predefined.DroppedHeldOut,
            DroppedTest = split.DroppedTest + predefined.DroppedTest,
        };
    }
}
