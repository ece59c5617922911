using GraphRec.Core.Kernels;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// <see cref="AdamOptimizer"/> for a parameter of any device and type, in libtorch's tensor operations, as TorchSharp's
/// <c>optim.Adam</c> computes it.
/// </summary>
/// <remarks>
/// <see cref="AutogradTrainingStep"/> uses it where <see cref="FusedAdam"/> does not apply (another device, float64, the torch-sparse backend).
/// TorchSharp's own Adam runs the same operations but hands libtorch scalars that nothing keeps alive, which a garbage
/// collection on another thread can free during the call (see <see cref="KeptScalars"/>); here every scalar is kept. A
/// test checks it against <c>optim.Adam</c> bit for bit.
/// </remarks>
internal sealed class LibTorchAdam(Tensor parameter, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    : AdamOptimizer(parameter, learningRate, beta1, beta2, epsilon)
{
    /// <summary>Clears the parameter's gradient before the next backward pass adds to it.</summary>
    public void ZeroGradient()
    {
        using var gradient = Parameter.grad;
        gradient?.zero_();
    }

    /// <summary>One step with the gradient the last backward pass left on the parameter; none if it has none.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var gradient = Parameter.grad;
        if (gradient is null)
        {
            return;
        }

        var (stepSize, secondCorrectionRoot) = NextStep();
        FirstMoment.TimesInPlace(Beta1).AddScaledInPlace(gradient, 1 - Beta1);
        SecondMoment.TimesInPlace(Beta2).AddProductInPlace(gradient, gradient, 1 - Beta2);
        var denominator = SecondMoment.sqrt().DividedBy(secondCorrectionRoot).PlusInPlace(Epsilon);
        Parameter.AddQuotientInPlace(FirstMoment, denominator, -stepSize);
    }
}
