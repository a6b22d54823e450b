using System.Linq.Expressions;
using NRules;
using NRules.RuleModel;
using NRules.RuleModel.Builders;

namespace Harrier.Rules.Correlation;

/// <summary>
/// Builds the NRules rule model of each correlation rule with <see cref="RuleBuilder"/>:
/// <list type="bullet">
/// <item>a sequence of n steps is an n-way join of <see cref="CorrelationFact"/> patterns <c>s0..s(n-1)</c>, each step
/// on the same key, inserted after the previous one, and within the window of <c>s0</c>;</item>
/// <item>a threshold is the newest fact <c>t</c> joined with a Collect aggregate <c>g</c> of the facts of the same key
/// inside the window before it, with the condition that <c>g</c> reached the count (or distinct count).</item>
/// </list>
/// The action is a no-op call; <see cref="CorrelationCollector"/> intercepts it and takes the matched facts.
/// </summary>
internal static class CorrelationModelBuilder
{
    public static IRuleDefinition Build(int id, CorrelationSpec spec, long windowTicks)
    {
        var builder = new RuleBuilder();
        builder.Name("corr#" + id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.Description(spec.Rule.Name);
        builder.Repeatability(RuleRepeatability.Repeatable);
        var lhs = builder.LeftHandSide();
        var facts = new List<ParameterExpression>();

        if (spec.Kind == CorrelationKind.Sequence)
        {
            for (int step = 0; step < spec.Steps.Count; step++)
            {
                var p = lhs.Pattern(typeof(CorrelationFact), "s" + step);
                var me = Expression.Parameter(typeof(CorrelationFact), "s" + step);
                Expression cond = Expression.AndAlso(
                    Expression.Equal(Expression.Property(me, nameof(CorrelationFact.RuleId)), Expression.Constant(id)),
                    Expression.Equal(Expression.Property(me, nameof(CorrelationFact.Step)), Expression.Constant(step)));
                if (step == 0)
                {
                    p.Condition(Expression.Lambda(cond, me));
                }
                else
                {
                    var first = facts[0];
                    var prev = facts[step - 1];
                    cond = Expression.AndAlso(cond, Expression.Equal(Expression.Property(me, nameof(CorrelationFact.Key)), Expression.Property(first, nameof(CorrelationFact.Key))));
                    cond = Expression.AndAlso(cond, Expression.GreaterThan(Expression.Property(me, nameof(CorrelationFact.Seq)), Expression.Property(prev, nameof(CorrelationFact.Seq))));
                    cond = Expression.AndAlso(cond, Expression.LessThanOrEqual(
                        Expression.Subtract(Expression.Property(me, nameof(CorrelationFact.Time)), Expression.Property(first, nameof(CorrelationFact.Time))),
                        Expression.Constant(windowTicks)));
                    var ps = new List<ParameterExpression> { me, first };
                    if (prev != first)
                    {
                        ps.Add(prev);
                    }

                    p.Condition(Expression.Lambda(cond, ps));
                }

                facts.Add(me);
            }
        }
        else
        {
            var t = lhs.Pattern(typeof(CorrelationFact), "t");
            Expression<Func<CorrelationFact, bool>> tCond = x => x.RuleId == id;
            t.Condition(Rename(tCond, "t"));

            var g = lhs.Pattern(typeof(IEnumerable<CorrelationFact>), "g");
            var agg = g.Aggregate();
            agg.Collect();
            var f = agg.Pattern(typeof(CorrelationFact), "f");
            Expression<Func<CorrelationFact, CorrelationFact, bool>> inWindow = (f, t) =>
                f.RuleId == id && f.Key == t.Key && f.Seq <= t.Seq && t.Time - f.Time <= windowTicks;
            f.Condition(inWindow);
            int count = spec.Count;
            bool distinct = spec.Distinct is not null;
            Expression<Func<IEnumerable<CorrelationFact>, bool>> reached = g => CorrelationOps.Reached(g, count, distinct);
            g.Condition(reached);
        }

        var ctx = Expression.Parameter(typeof(IContext), "ctx");
        var call = Expression.Call(typeof(CorrelationCollector).GetMethod(nameof(CorrelationCollector.Record))!, ctx, Expression.Constant(id));
        builder.RightHandSide().Action(Expression.Lambda(call, ctx));
        return builder.Build();
    }

    private static LambdaExpression Rename(Expression<Func<CorrelationFact, bool>> e, string name)
    {
        var p = Expression.Parameter(typeof(CorrelationFact), name);
        return Expression.Lambda(new Swap(e.Parameters[0], p).Visit(e.Body), p);
    }

    private sealed class Swap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
