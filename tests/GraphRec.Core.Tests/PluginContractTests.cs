using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// A sampler or a loss of the caller's that breaks its contract is named at the boundary, with the contract, before
/// its output reaches the training step: never an index error, a null reference or libtorch's message deep inside.
/// </summary>
public sealed class PluginContractTests
{
    private static Interactions Train() => TestGraphs.RandomInteractions(12, 9, 50, seed: 2);

    private sealed class FixedSampler(Func<Interactions, (int[], int[], int[])> triples) : ISampler
    {
        public (int[] Users, int[] Positives, int[] Negatives) Sample(Interactions train, int epoch) => triples(train);
    }

    private sealed class FixedLoss(Func<Tensor, Tensor?> compute) : ILoss
    {
        public Tensor Compute(Tensor embeddings, Tensor layer0) => compute(embeddings)!;
    }

    private static Exception Train(ISampler? sampler = null, ILoss? loss = null, bool onTheCpuKernel = true)
    {
        var train = Train();
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var options = new LightGcnOptions { EmbeddingDimension = 4, Layers = 1, Seed = 1 };

        // On libtorch's sparse product a model trains through autograd and libtorch's Adam rather than the CPU kernel.
        using var model = onTheCpuKernel ? new LightGcnModel(adjacency, options) : new LightGcnModel(adjacency, options, new TorchSparseBackend(adjacency));

        var trainer = new LightGcnTrainer(new LightGcnOptions { Epochs = 1, BatchSize = 16 }, loss, sampler);
        return Assert.ThrowsAny<Exception>(() => trainer.Train(model, train));
    }

    private static (int[] Users, int[] Positives, int[] Negatives) Valid(Interactions train)
    {
        int[] users = train.ExpandUsers();
        int[] positives = train.Items.ToArray();
        int[] negatives = [.. Enumerable.Range(0, users.Length).Select(t => Enumerable.Range(0, train.ItemCount).First(i => !train.Contains(users[t], i)))];
        return (users, positives, negatives);
    }

    public static TheoryData<string> BrokenSamplers =>
        ["null arrays", "null array", "lengths differ", "user out of range", "negative positive", "negative out of range"];

    private static (int[], int[], int[]) Broken(string how, Interactions train)
    {
        var valid = Valid(train);
        switch (how)
        {
            case "null arrays": return default;
            case "null array": return valid with { Negatives = null! };
            case "lengths differ": return valid with { Negatives = valid.Negatives[1..] };
            case "user out of range": valid.Users[7] = train.UserCount; return valid;
            case "negative positive": valid.Positives[3] = -1; return valid;
            default: valid.Negatives[^1] = train.ItemCount + 5; return valid;
        }
    }

    [Theory]
    [MemberData(nameof(BrokenSamplers))]
    public void A_sampler_that_breaks_its_contract_is_named_with_the_contract(string how)
    {
        var error = Train(sampler: new FixedSampler(train => Broken(how, train)));

        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("ISampler", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FixedSampler), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_loss_that_returns_a_vector_or_null_is_named_with_the_contract(bool onTheCpuKernel)
    {
        foreach (var loss in new[] { new FixedLoss(e => e[0].mul(e[1]).sum(1)), new FixedLoss(_ => null) })
        {
            var error = Train(loss: loss, onTheCpuKernel: onTheCpuKernel);

            Assert.IsType<InvalidOperationException>(error);
            Assert.Contains("ILoss", error.Message, StringComparison.Ordinal);
            Assert.Contains("scalar", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_sampler_and_a_loss_that_keep_their_contracts_train()
    {
        var train = Train();
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 1, Seed = 1 });
        var trainer = new LightGcnTrainer(new LightGcnOptions { Epochs = 2, BatchSize = 16 }, new FixedLoss(e => e[0].mul(e[2]).sum().sigmoid()), new FixedSampler(Valid));

        var result = trainer.Train(model, train);

        Assert.Equal(2, result.History.Count);
    }
}
