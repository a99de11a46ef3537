import type { PhaseValues as PhaseValuesShape, Reading as ReadingShape } from '../../models/reading.js';
import { builder } from '../builder.js';

export const PhaseValues = builder.objectRef<PhaseValuesShape>('PhaseValues').implement({
  description: 'Per-phase values (L1, L2, L3) and their average.',
  fields: (t) => ({
    l1: t.exposeFloat('l1', { nullable: true }),
    l2: t.exposeFloat('l2', { nullable: true }),
    l3: t.exposeFloat('l3', { nullable: true }),
    average: t.exposeFloat('average', { nullable: true }),
  }),
});

export const Reading = builder.objectRef<ReadingShape>('Reading').implement({
  description: 'One stored meter reading, as the meter reported it.',
  fields: (t) => ({
    panelId: t.exposeID('panelId'),
    time: t.expose('time', { type: 'DateTime', description: "The meter's reading time." }),
    voltage: t.expose('voltage', { type: PhaseValues, description: 'Volts.' }),
    current: t.expose('current', { type: PhaseValues, description: 'Amperes.' }),
    activePowerKw: t.exposeFloat('activePowerKw'),
    apparentPowerKva: t.exposeFloat('apparentPowerKva', { nullable: true }),
    energyKwh: t.exposeFloat('energyKwh', { description: "The meter's cumulative energy counter (kWh)." }),
    powerFactor: t.exposeFloat('powerFactor', { nullable: true }),
    voltageUnbalance: t.exposeFloat('voltageUnbalance', { nullable: true }),
    currentUnbalance: t.exposeFloat('currentUnbalance', { nullable: true }),
    late: t.boolean({
      description:
        'On a live subscription: true when a newer reading of this panel was delivered before this one (it was stored, or reached this ' +
        'process, late: a meter sending its backlog, or with several processes more than MQTT_FEED_ORDER_HOLD late); false otherwise and in queries.',
      resolve: (reading) => reading.late === true,
    }),
  }),
});

builder.subscriptionField('panelReading', (t) =>
  t.field({
    type: Reading,
    deprecationReason: 'Use panelReadingChanged (2026-12).',
    description: "Each panel's newest reading at once, then every reading as soon as it is stored; of one panel or of all visible panels.",
    args: { panelId: t.arg.id({ required: false }) },
    subscribe: (_root, { panelId }, { services, viewer }) => services.live.readings(panelId == null ? null : [String(panelId)], viewer.panels),
    resolve: (reading) => reading,
  }),
);
