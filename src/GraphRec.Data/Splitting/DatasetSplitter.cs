using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphRec.Data;

/// <summary>Builds a <see cref="DatasetSplit"/>: test from all interactions, then optionally validation from the rest.</summary>
internal static partial class DatasetSplitter
{
    /// <summary>
    /// Splits <paramref name="interactions"/>: <paramref name="test"/> selects the test part; <paramref name="validation"/>,
    /// when given, then selects the validation part from what remains; the rest is train. Held-out interactions whose
    /// user or item does not occur in train are removed and counted (and logged).
    /// </summary>
    public static DatasetSplit Split(Interactions interactions, ISplitter test, ISplitter? validation = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(test);
        bool[] testFlags = test.SelectHeldOut(interactions);
        var trainAndValidation = interactions.Select(Not(testFlags));
        var testPart = interactions.Select(testFlags);
        Interactions train = trainAndValidation;
        Interactions? validationPart = null;
        if (validation is not null)
        {
            bool[] validationFlags = validation.SelectHeldOut(trainAndValidation);
            train = trainAndValidation.Select(Not(validationFlags));
            validationPart = trainAndValidation.Select(validationFlags);
        }

        return FromParts(train, validationPart, testPart, logger);
    }

    /// <summary>
    /// Makes a split from parts given as they are (the predefined split of an edge-list dataset): held-out interactions
    /// whose user or item does not occur in train, or that repeat a train interaction, are removed and counted.
    /// </summary>
    public static DatasetSplit FromParts(Interactions train, Interactions? validation, Interactions test, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var log = logger ?? NullLogger.Instance;
        int droppedValidation = 0;
        Interactions? keptValidation = null;
        if (validation is not null)
        {
            (keptValidation, droppedValidation) = KeepCoveredByTrain(train, validation);
        }

        var (keptTest, droppedTest) = KeepCoveredByTrain(train, test);
        if (droppedTest + droppedValidation > 0)
        {
            LogDropped(log, droppedTest, droppedValidation);
        }

        return new DatasetSplit(train, keptValidation, keptTest, droppedTest + droppedValidation) { DroppedTest = droppedTest };
    }

    private static (Interactions Kept, int Dropped) KeepCoveredByTrain(Interactions train, Interactions heldOut)
    {
        var itemInTrain = new bool[train.ItemCount];
        foreach (int item in train.Items)
        {
            itemInTrain[item] = true;
        }

        var keep = new bool[heldOut.Count];
        int dropped = 0;
        var items = heldOut.Items;
        for (int user = 0; user < heldOut.UserCount; user++)
        {
            bool userInTrain = train.CountOf(user) > 0;
            for (int p = heldOut.RowPointers[user]; p < heldOut.RowPointers[user + 1]; p++)
            {
                keep[p] = userInTrain && itemInTrain[items[p]] && !train.Contains(user, items[p]);
                dropped += keep[p] ? 0 : 1;
            }
        }

        return (dropped == 0 ? heldOut : heldOut.Select(keep), dropped);
    }

    private static bool[] Not(bool[] flags) => Array.ConvertAll(flags, f => !f);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Test} test and {Validation} validation interactions whose user or item never occurs in train")]
    private static partial void LogDropped(ILogger logger, int test, int validation);
}
