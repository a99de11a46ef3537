import { builder } from './builder.js';
import './types/scalars.js';
import './types/reading.js';
import './types/usage.js';
import './types/panel.js';
import './types/overview.js';
import './types/tariff.js';
import './types/ingest.js';
import './types/bill.js';
import './types/admin.js';
import './types/alarm.js';
import './types/alarm-rule.js';
import './types/alarm-budget.js';
import './types/alarm-notification.js';

export const schema = builder.toSchema({ sortSchema: true });
