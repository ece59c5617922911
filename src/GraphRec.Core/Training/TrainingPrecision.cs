namespace GraphRec.Core;

/// <summary>
/// How the CPU training step stores the propagated layers <c>Â^k E</c> and their gradients between its sparse products
/// (<see cref="LightGcnOptions.BFloat16Layers"/>).
/// </summary>
internal enum TrainingPrecision
{
    /// <summary>float32 throughout: the reference code's arithmetic. The default.</summary>
    Full,

    /// <summary>The layers and their gradients rounded to bfloat16 as each product stores them, and summed in float32.</summary>
    BFloat16Layers,
}
