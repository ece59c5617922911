using GraphRec.Core.Evaluation;
using GraphRec.Core.Inference;
using GraphRec.Data;
using GraphRec.Data.Splitting;

namespace GraphRec.Sample;

/// <summary><c>evaluate</c>: a saved model on a dataset's test split.</summary>
internal static class EvaluateCommand
{
    public static async Task<int> RunAsync(string modelPath, DataSettings data, SplitSettings splitSettings, int[] cutoffs, CancellationToken cancellationToken)
    {
        using var loaded = await ModelFile.LoadAsync(modelPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        var dataset = await ConsoleUi.WithDownloadProgressAsync(download => Datasets.LoadAsync(data, download, cancellationToken)).ConfigureAwait(false);
        if (!dataset.Users.OriginalIds.SequenceEqual(loaded.Catalog.Users.OriginalIds) || !dataset.Items.OriginalIds.SequenceEqual(loaded.Catalog.Items.OriginalIds))
        {
            throw new UsageException($"The model was trained on {loaded.Catalog.DatasetName} with other users or items than {dataset.Name} has here; evaluate it on the dataset it was trained on.");
        }

        string splitName = Datasets.ResolveSplitName(splitSettings, dataset);
        var split = Datasets.Split(dataset, splitSettings);
        ConsoleUi.Summary(dataset, split, splitName);
        if (!SameInteractions(split.Train, loaded.Catalog.Train))
        {
            Console.WriteLine("note: this split's train differs from the model's training interactions (another split, seed or ratio?); test items may have been seen in training.");
        }

        IReadOnlyList<Interactions> exclude = split.Validation is null ? [loaded.Catalog.Train] : [loaded.Catalog.Train, split.Validation];
        using var scorer = new LightGcnScorer(loaded.Model);
        var result = FullRankingEvaluator.Evaluate(scorer, split.Test, exclude, new FullRankingOptions { Cutoffs = [.. cutoffs.Distinct().Order()] }, cancellationToken);
        ConsoleUi.MetricsTable([("LightGCN", result)], [.. cutoffs.Distinct().Order()]);
        return 0;
    }

    private static bool SameInteractions(Interactions a, Interactions b) =>
        a.UserCount == b.UserCount && a.RowPointers.SequenceEqual(b.RowPointers) && a.Items.SequenceEqual(b.Items);
}
