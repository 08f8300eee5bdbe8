// Rules, written once with Kysely for both adapters (RelationalRepo extends this).
import type { NewRule, Rule, RuleDefinition, RulePatch } from '../../domain/rule.ts';
import { DashboardRepo } from './dashboard-repo.ts';
import type { RulesTable } from './schema.ts';

function toRule(row: RulesTable): Rule {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    enabled: Number(row.enabled) === 1,
    definition: JSON.parse(row.definition) as RuleDefinition,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export class RuleRepo extends DashboardRepo {
  async createRule(rule: NewRule): Promise<Rule> {
    const now = Date.now();
    const row: RulesTable = {
      id: rule.id,
      owner_id: rule.ownerId,
      name: rule.name,
      description: rule.description,
      enabled: rule.enabled ? 1 : 0,
      definition: JSON.stringify(rule.definition),
      created_at: now,
      updated_at: now,
    };
    await this.kysely.insertInto('rules').values(row).execute();
    return toRule(row);
  }

  async getRule(id: string): Promise<Rule | undefined> {
    const row = await this.kysely.selectFrom('rules').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRule(row) : undefined;
  }

  async listRules(ownerId?: string): Promise<Rule[]> {
    let query = this.kysely.selectFrom('rules').selectAll();
    if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
    return (await query.orderBy('created_at', 'desc').orderBy('id').execute()).map(toRule);
  }

  async updateRule(id: string, patch: RulePatch): Promise<Rule | undefined> {
    const result = await this.kysely
      .updateTable('rules')
      .set({ name: patch.name, description: patch.description, enabled: patch.enabled ? 1 : 0, definition: JSON.stringify(patch.definition), updated_at: Date.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.getRule(id);
  }

  async deleteRule(id: string): Promise<boolean> {
    const result = await this.kysely.deleteFrom('rules').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
