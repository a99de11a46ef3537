import type { PhaseValues as PhaseValuesShape, Reading as ReadingShape } from '../../models/reading.js';
import { builder } from '../builder.js';

export const PhaseValues = builder.objectRef<PhaseValuesShape>('PhaseValues').implement({
  description: 'Per-phase values (L1, L2, L3) and their average, in the unit the field holding them states (V or A).',
  fields: (t) => ({
    l1: t.exposeFloat('l1', { nullable: true, description: 'Phase L1, in the unit of the field (V or A).' }),
    l2: t.exposeFloat('l2', { nullable: true, description: 'Phase L2, in the unit of the field (V or A).' }),
    l3: t.exposeFloat('l3', { nullable: true, description: 'Phase L3, in the unit of the field (V or A).' }),
    average: t.exposeFloat('average', { nullable: true, description: 'The average of the phases, in the unit of the field (V or A).' }),
  }),
});

export const Reading = builder.objectRef<ReadingShape>('Reading').implement({
  description: 'One stored meter reading, as the meter reported it.',
  fields: (t) => ({
    panelId: t.exposeID('panelId'),
    time: t.expose('time', { type: 'DateTime', description: "The meter's reading time." }),
    voltage: t.expose('voltage', { type: PhaseValues, description: 'Phase-to-neutral voltage per phase, V.' }),
    current: t.expose('current', { type: PhaseValues, description: 'Current per phase, A.' }),
    activePowerKw: t.exposeFloat('activePowerKw', { description: 'Active power, kW.' }),
    apparentPowerKva: t.exposeFloat('apparentPowerKva', { nullable: true, description: 'Apparent power, kVA; null when the meter sends none.' }),
    meterEnergyKwh: t.exposeFloat('energyKwh', {
      description:
        "The meter's cumulative active energy counter, kWh (a meter position, not energy used: subtract two readings' values, or use " +
        '`history`/`todayUsage` for energy used).',
    }),
    meterReactiveEnergyKvarh: t.exposeFloat('reactiveEnergyKvarh', {
      nullable: true,
      description: "The meter's cumulative reactive energy counter, kVArh; null when the meter sends none.",
    }),
    powerFactor: t.exposeFloat('powerFactor', { nullable: true, description: 'Power factor, unitless ratio 0-1; null when the meter sends none.' }),
    voltageUnbalance: t.exposeFloat('voltageUnbalance', {
      nullable: true,
      description: "Voltage unbalance between the phases, percent (%), as the meter reports it; null when it sends none.",
    }),
    currentUnbalance: t.exposeFloat('currentUnbalance', {
      nullable: true,
      description: "Current unbalance between the phases, percent (%), as the meter reports it; null when it sends none.",
    }),
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
    subscribe: (_root, { panelId }, { services, viewer }) => services.live.readings(panelId == null ? null : new Set([String(panelId)]), viewer.panels),
    resolve: (reading) => reading,
  }),
);
