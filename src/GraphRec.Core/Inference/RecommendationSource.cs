namespace GraphRec.Core;

/// <summary>Where a <see cref="Recommendation"/> comes from.</summary>
public enum RecommendationSource
{
    /// <summary>The model's scores for this user or item: LightGCN's embeddings, GF-CF's filter.</summary>
    Model = 0,

    /// <summary>
    /// The most interacted-with training items, the same for everyone (<see cref="IRecommender.PopularItems"/>): what a
    /// user with no training interactions gets, since the model learnt nothing about it. The score is the count.
    /// </summary>
    PopularItems = 1,
}
