using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Sample;

/// <summary><c>evaluate</c>: a saved model on a dataset's test split.</summary>
internal static class EvaluateCommand
{
    public static async Task<int> RunAsync(
        string modelPath, DataSettings data, SplitSettings splitSettings, int[] cutoffs, EvaluationSample? sample, CancellationToken cancellationToken)
    {
        if (splitSettings.Split == "none")
        {
            throw new UsageException("--split none holds nothing out, so there is nothing to evaluate on: give the split the model was trained with (by default random; predefined for edge lists).");
        }

        using var model = await Recommenders.LoadAsync(modelPath, cancellationToken).ConfigureAwait(false);
        var dataset = await ConsoleUi.WithDownloadProgressAsync(download => Datasets.LoadAsync(data, download, cancellationToken)).ConfigureAwait(false);
        if (!dataset.Users.Ids.SequenceEqual(model.Users.Ids) || !dataset.Items.Ids.SequenceEqual(model.Items.Ids))
        {
            throw new UsageException($"The model was trained on {model.DatasetName} with other users or items than {dataset.Name} has here; evaluate it on the dataset it was trained on.");
        }

        if (SameInteractions(model.TrainingInteractions, dataset.Interactions))
        {
            throw new UsageException($"{modelPath} was trained on every interaction of {dataset.Name} (train --split none), so none is left to measure it on: train it with a split to evaluate it.");
        }

        string splitName = Datasets.ResolveSplitName(splitSettings, dataset);
        var split = Datasets.Split(dataset, splitSettings);
        ConsoleUi.Summary(dataset, split, splitName);
        if (!SameInteractions(split.Train, model.TrainingInteractions))
        {
            Console.WriteLine("note: this split's train differs from the model's training interactions (another split, seed or ratio?); test items may have been seen in training.");
        }

        // A saved model knows only its train part: the split's validation part is excluded here, as train excluded it.
        var result = model.Evaluate(split.Test, [.. cutoffs.Distinct().Order()], sample?.Users, sample?.Seed ?? default,
            [split.Validation], cancellationToken);
        Console.WriteLine($"test metrics ({ConsoleUi.EvaluatedUsers(result, sample)}; ± is the 95% interval):");
        ConsoleUi.MetricsTable([(TrainCommand.DisplayName(model), result)], [.. cutoffs.Distinct().Order()]);
        return 0;
    }

    private static bool SameInteractions(Interactions a, Interactions b) =>
        a.UserCount == b.UserCount && a.RowPointers.SequenceEqual(b.RowPointers) && a.Items.SequenceEqual(b.Items);
}
