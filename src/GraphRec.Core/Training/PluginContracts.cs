using System.Globalization;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// What training takes from a caller's <see cref="ISampler"/> and <see cref="ILoss"/>, checked where it comes in: a
/// plug-in that breaks its contract is named with the contract, rather than failing as an index error in the kernel or
/// with libtorch's message in the backward pass. Cheap: the triples once an epoch with vectorised range scans, the loss
/// with two native property reads a batch.
/// </summary>
internal static class PluginContracts
{
    /// <summary>
    /// The triples of epoch <paramref name="epoch"/> from <paramref name="sampler"/>, checked: GraphRec's own samplers
    /// write into <paramref name="reuse"/> (the previous epoch's set), a caller's returns its arrays.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sampler returned a null array, arrays of different lengths, or an index out of range.</exception>
    public static TripleSet Sample(ISampler sampler, Interactions train, int epoch, TripleSet? reuse)
    {
        if (sampler is ParallelSampler own)
        {
            return CheckTriples(own.Sample(train, epoch, reuse), train, sampler, epoch);
        }

        var (users, positives, negatives) = sampler.Sample(train, epoch);
        return CheckTriples(new TripleSet(users, positives, negatives), train, sampler, epoch);
    }

    /// <summary>Returns <paramref name="triples"/> when it is an epoch of well-formed triples over <paramref name="train"/>'s users and items.</summary>
    /// <exception cref="InvalidOperationException">Its arrays are null or of different lengths, or an index is out of range.</exception>
    private static TripleSet CheckTriples(TripleSet triples, Interactions train, ISampler sampler, int epoch)
    {
        string contract = string.Create(CultureInfo.InvariantCulture,
            $"ISampler.Sample must return three arrays with one user, positive and negative per triple, users in 0..{train.UserCount - 1} and items in 0..{train.ItemCount - 1} (indices of the training interactions)");
        string returned = string.Create(CultureInfo.InvariantCulture, $"The sampler {sampler.GetType().Name} returned for epoch {epoch}");
        if (triples.Users is null || triples.Positives is null || triples.Negatives is null)
        {
            throw new InvalidOperationException($"{returned} a null array: {contract}.");
        }

        if (triples.Positives.Length != triples.Users.Length || triples.Negatives.Length != triples.Users.Length)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{returned} {triples.Users.Length} users, {triples.Positives.Length} positives and {triples.Negatives.Length} negatives: {contract}."));
        }

        foreach (var (name, values, count) in new[] { ("user", triples.Users, train.UserCount), ("positive", triples.Positives, train.ItemCount), ("negative", triples.Negatives, train.ItemCount) })
        {
            int bad = values.AsSpan().IndexOfAnyExceptInRange(0, count - 1);
            if (bad >= 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{returned} triple {bad} with {name} {values[bad]}, outside 0..{count - 1}: {contract}."));
            }
        }

        return triples;
    }

    /// <summary>Returns <paramref name="value"/> when it is a scalar that autograd can differentiate.</summary>
    /// <exception cref="InvalidOperationException">It is null, has more or fewer than one element, or does not depend on the embeddings.</exception>
    public static Tensor CheckLoss(Tensor? value, ILoss loss)
    {
        const string contract = "ILoss.Compute must return a scalar (a one-element tensor, such as a mean over the batch) computed from the batch's embeddings";
        string returned = $"The loss {loss.GetType().Name} returned";
        if (value is null)
        {
            throw new InvalidOperationException($"{returned} null: {contract}.");
        }

        if (value.numel() != 1)
        {
            throw new InvalidOperationException($"{returned} a tensor of shape [{string.Join(", ", value.shape)}]: {contract}.");
        }

        if (!value.requires_grad)
        {
            throw new InvalidOperationException($"{returned} a scalar that does not depend on the batch's embeddings, so there is no gradient to train with: {contract}.");
        }

        return value;
    }
}
