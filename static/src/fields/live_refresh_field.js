/** @odoo-module **/
/**
 * Keeps a form up to date while a stock pull runs elsewhere (the job runner):
 * put on a job state field, it reloads the record every few seconds while the
 * state is pending or running and the form has no unsaved change, so that the
 * progress bars move and the final state shows without a manual reload.
 */
import { Component, onMounted, onWillUnmount, xml } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const REFRESH_MS = 2000;
const ACTIVE_STATES = ["pending", "running"];

export class LiveRefreshField extends Component {
    static template = xml`<span class="o_marketplace_live_refresh d-none"/>`;
    static props = { ...standardFieldProps };

    setup() {
        onMounted(() => {
            this.timer = setInterval(() => this.refresh(), REFRESH_MS);
        });
        onWillUnmount(() => clearInterval(this.timer));
    }

    async refresh() {
        const record = this.props.record;
        if (this.busy || record.isNew || !ACTIVE_STATES.includes(record.data[this.props.name])) {
            return;
        }
        if (await record.isDirty()) {
            return;
        }
        this.busy = true;
        try {
            await record.load();
        } finally {
            this.busy = false;
        }
    }
}

registry.category("fields").add("marketplace_live_refresh", {
    component: LiveRefreshField,
    supportedTypes: ["selection"],
});
