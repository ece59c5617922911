namespace GraphRec.Core;

/// <summary>Loads a saved model whatever its kind, for code that serves any (a service, the sample's <c>recommend</c>).</summary>
public static class Recommenders
{
    /// <summary>Loads the model saved at <paramref name="path"/>: a <see cref="LightGcn"/> or a <see cref="SpectralFilter"/> (of kind <c>spectral</c> or <c>gf-cf</c>), as the file records.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">The file is not a GraphRec model, is of another version, damaged or forged.</exception>
    public static async Task<IRecommender> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        await ModelFile.LoadAnyAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false) switch
        {
            LoadedModel model => LightGcn.FromFile(model),
            LoadedSpectralFilter filter => SpectralFilter.FromFile(filter),
            var other => throw new InvalidOperationException($"A model file read as {other.GetType().Name}, which no recommender serves."),
        };
}
