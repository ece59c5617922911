using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public sealed class LibTorchAdamTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Steps_as_torchsharps_adam_bit_for_bit_through_a_change_of_learning_rate(ScalarType type)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(21);
        var start = randn([300, 7], dtype: type, generator: generator);
        var reference = nn.Parameter(start.clone());
        var kept = nn.Parameter(start.clone());
        using var torchAdam = optim.Adam([reference], 0.01);
        using var ours = new LibTorchAdam(kept, 0.01);

        for (int step = 0; step < 6; step++)
        {
            if (step == 3)
            {
                foreach (var group in torchAdam.ParamGroups)
                {
                    group.LearningRate = 0.002;
                }

                ours.LearningRate = 0.002;
            }

            var target = randn([300, 7], dtype: type, generator: generator);
            torchAdam.zero_grad();
            ((reference - target).pow(3).abs() * (step + 1)).sum().backward();
            torchAdam.step();
            ours.ZeroGradient();
            ((kept - target).pow(3).abs() * (step + 1)).sum().backward();
            ours.Step();
        }

        Assert.False(kept.equal(start).all().item<bool>(), "the parameter did not move");
        var want = reference.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var got = kept.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(want.Select(BitConverter.DoubleToInt64Bits), got.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Leaves_a_parameter_without_a_gradient_where_it_is()
    {
        using var scope = NewDisposeScope();
        var start = ones(4, 3);
        var parameter = nn.Parameter(start.clone());
        using var adam = new LibTorchAdam(parameter, 0.1);

        adam.ZeroGradient();
        adam.Step();

        Assert.True(parameter.equal(start).all().item<bool>());
    }
}
