using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphRec.Data;

/// <summary>Builds a <see cref="DatasetSplit"/>: test from all interactions, then optionally validation from the rest.</summary>
internal static partial class DatasetSplitter
{
    /// <summary>
    /// Splits <paramref name="interactions"/>: <paramref name="test"/> selects the test part; <paramref name="validation"/>,
    /// when given, then selects the validation part from what remains; the rest is train. Held-out interactions whose
    /// user or item does not occur in train are removed and counted (and logged). <paramref name="testRole"/> names the
    /// part <paramref name="test"/> selects in errors (<c>validation</c> when carving validation from a predefined train).
    /// </summary>
    /// <exception cref="ArgumentException">A splitter holds out everything it is given, leaving nothing to train on; <see cref="ArgumentException.ParamName"/> is the part (<c>test</c> or <c>validation</c>) and the message names the split and what to change.</exception>
    public static DatasetSplit Split(Interactions interactions, ISplitter test, ISplitter? validation = null, ILogger? logger = null, string testRole = "test")
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(test);
        bool[] testFlags = SelectKeepingTrain(interactions, test, testRole, "");
        var trainAndValidation = interactions.Select(Not(testFlags));
        var testPart = interactions.Select(testFlags);
        Interactions train = trainAndValidation;
        Interactions? validationPart = null;
        if (validation is not null)
        {
            bool[] validationFlags = SelectKeepingTrain(trainAndValidation, validation, "validation", " left after the test split");
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

    /// <summary>The splitter's flags, unless it holds out every interaction: then the error that says so and what to change.</summary>
    private static bool[] SelectKeepingTrain(Interactions interactions, ISplitter splitter, string part, string which)
    {
        bool[] flags = splitter.SelectHeldOut(interactions) ?? throw new InvalidOperationException(
            $"The {part} splitter {splitter.GetType().Name} returned null: ISplitter.SelectHeldOut must return one flag per interaction.");
        if (flags.Length != interactions.Count)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The {part} splitter {splitter.GetType().Name} returned {flags.Length} flags for {interactions.Count} interactions: ISplitter.SelectHeldOut must return one flag per interaction."));
        }

        if (Array.IndexOf(flags, false) >= 0)
        {
            return flags;
        }

        string name = splitter.ToString() ?? splitter.GetType().Name;
        var timestamps = interactions.Timestamps;
        bool sameTime = interactions.Count > 1 && interactions.HasTimestamps && !timestamps.ContainsAnyExcept(timestamps[0]);
        string message = interactions.Count == 0
            ? $"The {part} split ({name}) has no interactions{which} to split: there is nothing to train on."
            : sameTime
            ? string.Create(CultureInfo.InvariantCulture,
                $"The {part} split ({name}) holds out all {interactions.Count:N0} interactions{which}, leaving nothing to train on: every timestamp is the same ({DateTimeOffset.FromUnixTimeSeconds(timestamps[0]):yyyy-MM-dd HH:mm:ss} UTC), so no time order can separate them; use a random holdout.")
            : string.Create(CultureInfo.InvariantCulture,
                $"The {part} split ({name}) holds out all {interactions.Count:N0} interactions{which}, leaving nothing to train on: use a split that keeps some in train, such as a later cut-off or a random holdout.");
        throw new ArgumentException(message, part);
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
