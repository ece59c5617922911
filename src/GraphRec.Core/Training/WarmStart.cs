using System.Globalization;
using GraphRec.Data;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Starts a model from a previous one (<see cref="LightGcn.Train"/>'s <c>warmStartFrom</c>): the layer-0 rows of the
/// users and items the previous model knows, matched by original id, are copied over the seeded initial rows; the rows
/// of new users and items keep those.
/// </summary>
internal static partial class WarmStart
{
    /// <summary>Throws when the previous model's embeddings are not of the width the options ask for.</summary>
    public static void CheckDimension(int previousDimension, int dimension)
    {
        if (previousDimension != dimension)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The model to warm-start from has {previousDimension}-dimensional embeddings, and {nameof(LightGcnOptions)}.{nameof(LightGcnOptions.EmbeddingDimension)} is {dimension}: set it to {previousDimension}, or train from scratch (warmStartFrom: null)."));
        }
    }

    /// <summary>
    /// Copies into <paramref name="target"/>'s E(0) the rows of <paramref name="source"/>'s E(0) whose ids
    /// (<paramref name="sourceUsers"/>, <paramref name="sourceItems"/>) are in <paramref name="users"/> and
    /// <paramref name="items"/>, the target's ids; returns how many users and items were copied.
    /// </summary>
    public static (int Users, int Items) CopyKnownRows(LightGcnModel target, IdMap users, IdMap items, LightGcnModel source, IdMap sourceUsers, IdMap sourceItems)
    {
        CheckDimension((int)source.Embedding.shape[1], (int)target.Embedding.shape[1]);
        var (targetUsers, fromUsers) = Matches(users, sourceUsers, targetOffset: 0, sourceOffset: 0);
        var (targetItems, fromItems) = Matches(items, sourceItems, targetOffset: target.UserCount, sourceOffset: source.UserCount);
        if (targetUsers.Count + targetItems.Count > 0)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var to = tensor((long[])[.. targetUsers, .. targetItems], device: target.Embedding.device);
            var from = tensor((long[])[.. fromUsers, .. fromItems], device: source.Embedding.device);
            var rows = source.Embedding.detach().index_select(0, from).to(target.Embedding.dtype, target.Embedding.device);
            target.Embedding.index_copy_(0, to, rows);
        }

        return (targetUsers.Count, targetItems.Count);
    }

    /// <summary>The target's indices (plus <paramref name="targetOffset"/>) of the ids <paramref name="source"/> also holds, and the source's (plus its offset).</summary>
    private static (List<long> Target, List<long> Source) Matches(IdMap target, IdMap source, int targetOffset, int sourceOffset)
    {
        var (targetRows, sourceRows) = (new List<long>(), new List<long>());
        bool numeric = target.IsNumeric && source.IsNumeric;
        for (int index = 0; index < target.Count; index++)
        {
            // Integer ids are matched as integers, without formatting each one; otherwise as the text the ids were given as.
            if (numeric ? source.TryGetIndex(target.GetNumericId(index), out int match) : source.TryGetIndex(target.GetId(index), out match))
            {
                targetRows.Add(targetOffset + index);
                sourceRows.Add(sourceOffset + match);
            }
        }

        return (targetRows, sourceRows);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Warm start: {KnownUsers} of {Users} users and {KnownItems} of {Items} items start from the previous model's embeddings, the others from the seeded initialisation")]
    public static partial void LogWarmStart(ILogger logger, int knownUsers, int users, int knownItems, int items);
}
