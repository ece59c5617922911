using Microsoft.Extensions.Options;

namespace GraphRec.Hosting;

/// <summary>
/// Checks the options when the host starts: a model path is given and the reload delay is not negative. The file itself
/// is checked by loading it, in full, when <see cref="ServedModel"/> is built while the host starts (see
/// <see cref="Microsoft.Extensions.DependencyInjection.GraphRecServiceCollectionExtensions"/>): the same checks as every other load, done once.
/// </summary>
internal sealed class ServedModelOptionsValidator : IValidateOptions<ServedModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ServedModelOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            return ValidateOptionsResult.Fail($"{nameof(ServedModelOptions)}.{nameof(ServedModelOptions.ModelPath)} is empty: give the model file to serve (the sample's train writes graphrec-output/model.graphrec).");
        }

        return options.ReloadDelay < TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"{nameof(ServedModelOptions)}.{nameof(ServedModelOptions.ReloadDelay)} must not be negative; it is {options.ReloadDelay}.")
            : ValidateOptionsResult.Success;
    }
}
